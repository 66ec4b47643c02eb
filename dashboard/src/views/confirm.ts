/**
 * The confirmation asked for when an assignment names a tenant the dashboard cannot
 * find: the reason, and the same form again (the operator's values kept) with
 * "save anyway" ticked, or a way back.
 */
import { html } from "hono/html";
import type { Principal } from "../auth/users.ts";
import { csrfField, errorBox, layout, type Html } from "./layout.ts";

export interface ConfirmForm {
  action: string;
  /** The submitted fields to send again (never the CSRF token: csrfField adds the current one). */
  fields: Record<string, string>;
  back: string;
}

export function confirmPage(reason: string, principal: Principal, form: ConfirmForm): Html {
  const hidden = Object.entries(form.fields).map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`);
  return layout({
    title: "Confirm the change",
    principal,
    body: html`${errorBox(reason)}
<form method="post" action="${form.action}" class="row">${csrfField(principal)}${hidden}
  <label><input type="checkbox" name="force" value="on" required> Save it anyway: I know this tenant is not (yet) there</label>
  <button type="submit">Save anyway</button>
  <a href="${form.back}">Cancel</a>
</form>`,
  });
}
