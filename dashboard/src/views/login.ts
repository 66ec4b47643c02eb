/** The sign-in page: a token form. A `#token=…` fragment (printed by the dev runner) is filled in by app.js; fragments never reach the server. */
import { html } from "hono/html";
import { errorBox, layout, type Html } from "./layout.ts";

export function loginPage(next: string, problem: string | null, accessEnabled: boolean): Html {
  const access = accessEnabled ? html`<p class="note">This dashboard also accepts Cloudflare Access: open it through your Access application to sign in with your identity.</p>` : html``;
  const body = html`${problem === null ? html`` : errorBox(problem)}
<form method="post" action="/login" class="login" id="login-form">
  <input type="hidden" name="next" value="${next}">
  <label>Access token <input type="password" name="token" id="token" autocomplete="current-password" required></label>
  <button type="submit">Sign in</button>
</form>${access}`;
  return layout({ title: "Sign in", principal: null, body });
}
