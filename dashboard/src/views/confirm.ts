/**
 * The confirmation asked for when an assignment names a tenant the dashboard cannot
 * find: the reason, and the same form again (the operator's values kept) with
 * "save anyway" ticked, or a way back.
 */
import { html } from "hono/html";
import type { Principal } from "../auth/users.ts";
import type { PlanLimits } from "@tenantscope/core/plans";
import type { WhatIf } from "../queries/plans.ts";
import { fmtInt, fmtPct } from "./format.ts";
import { csrfField, errorBox, layout, type Html } from "./layout.ts";
import { newlyFailingTable } from "./plans.ts";

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

/** "Save limits" shows what the new limits would have done over the last 7 days before it saves. */
export function confirmLimitsPage(plan: string, limits: PlanLimits, impact: WhatIf, principal: Principal): Html {
  const cpu = impact.cpu;
  const sub = impact.subRequests;
  const cpuText =
    cpu === null
      ? html``
      : html`<p data-figure="confirm-cpu">At <b>${limits.cpuMs} ms</b> CPU, over the last 7 days: <b>${fmtInt(cpu.newFailures)}</b> new failures (${fmtPct(cpu.newShare)} of ${fmtInt(impact.invocations)} invocations), on top of ${fmtInt(cpu.alreadyFailing)} CPU failures already happening.</p>
${newlyFailingTable(cpu.newlyFailing)}`;
  const subText = sub === null ? html`` : html`<p data-figure="confirm-sub">At <b>${limits.subRequests}</b> subrequests: at least ${fmtInt(sub.atLeastInvocations)} invocations would have failed. <small>${sub.note}</small></p>`;
  return layout({
    title: `Save limits of ${plan}?`,
    principal,
    active: "plans",
    body: html`<h2>Save limits of ${plan}?</h2>${cpuText}${subText}
<form method="post" action="/plans/${plan}" class="row">${csrfField(principal)}
  <input type="hidden" name="cpuMs" value="${String(limits.cpuMs)}">
  <input type="hidden" name="subRequests" value="${String(limits.subRequests)}">
  <input type="hidden" name="confirm" value="on">
  <button type="submit">Confirm and save</button>
  <a href="/plans#plan-${plan}">Cancel</a>
</form>`,
  });
}
