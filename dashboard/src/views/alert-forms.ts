/**
 * The Alerts page's two forms. A refused value stays as typed, its reason beside the field
 * (aria-describedby), and a webhook's secret is never written into the page: its input is
 * always empty, and blank keeps the current secret.
 */
import { html, raw } from "hono/html";
import type { Principal } from "../auth/users.ts";
import type { Refusal, RuleFormValues, RuleInput, WebhookFormValues } from "../alerts/forms.ts";
import type { WebhookView } from "../alerts/store.ts";
import { csrfField, type Html } from "./layout.ts";

type Reason = (field: string) => { attrs: Html; note: Html };

function reasons(prefix: string, refusal: Refusal | null): Reason {
  return (field) => {
    if (refusal === null || refusal.field !== field) return { attrs: html``, note: html`` };
    const id = `${prefix}-${field}-reason`;
    return { attrs: html` aria-invalid="true" aria-describedby="${id}"`, note: html`<span class="error" role="alert" id="${id}">${refusal.message}</span>` };
  };
}

function options(values: readonly string[], selected: string | undefined): Html[] {
  return values.map((v) => html`<option value="${v}"${v === selected ? raw(" selected") : ""}>${v}</option>`);
}

export function ruleForm(principal: Principal, hooks: readonly WebhookView[], form: { values: RuleFormValues; refusal: Refusal | null } | null): Html {
  const v = form?.values.values ?? { scopeKind: "all", kind: "error_rate", enabled: "on", cooldownMinutes: "60" };
  const chosen = new Set(form?.values.webhooks ?? []);
  const why = reasons("rule", form?.refusal ?? null);
  const input = (name: RuleInput, label: string, extra = ""): Html => {
    const r = why(name);
    return html`<label for="rule-${name}">${label}</label> <input id="rule-${name}" name="${name}" value="${v[name] ?? ""}"${raw(extra)}${r.attrs}>${r.note}`;
  };
  const select = (name: RuleInput, label: string, values: readonly string[]): Html => {
    const r = why(name);
    return html`<label for="rule-${name}">${label}</label> <select id="rule-${name}" name="${name}"${r.attrs}>${options(values, v[name])}</select>${r.note}`;
  };
  const box = (name: RuleInput, label: string): Html => {
    const r = why(name);
    return html`<label><input type="checkbox" name="${name}" value="on"${v[name] === "on" ? raw(" checked") : ""}${r.attrs}> ${label}</label>${r.note}`;
  };
  const hookReason = why("webhooks");
  const hookBoxes = hooks.length === 0
    ? html`<span class="note">No webhooks yet: add one below.</span>`
    : hooks.map((h) => html`<label><input type="checkbox" name="webhooks" value="${h.id}"${chosen.has(h.id) ? raw(" checked") : ""}> ${h.id}</label>`);
  const whole = form?.refusal !== null && form?.refusal !== undefined && form.refusal.field === null ? html`<p class="error" role="alert">${form.refusal.message}</p>` : html``;
  return html`<h2 id="rule-form">Add or change a rule</h2>
<p class="note">A rule with an existing id replaces it. Only the fields of the chosen kind are used: error_rate (window, threshold, min); limit_rate (limit, window, threshold, min); cpu_p95 (window, share of the plan's CPU limit, min); quota (metric invocations or cpu_ms, amount, period in seconds or blank for the UTC month, forecast, stop); change (metric invocations or errors, window, factor, baseline, min). Shares are fractions: 0.2 is 20 %.</p>
${whole}
<form method="post" action="/alerts/rules" class="stack" id="rule-edit">${csrfField(principal)}
  <div class="row">${input("id", "Id", ' size="16" required')} ${input("name", "Name", ' size="24"')}</div>
  <div class="row">${select("scopeKind", "Scope", ["all", "tenant", "plan", "customer"])} ${input("scopeValue", "Tenant, plan or customer", ' size="16"')}
    <label><input type="checkbox" name="force" value="on"> save anyway if the tenant is unknown</label></div>
  <div class="row">${select("kind", "Fires on", ["error_rate", "limit_rate", "cpu_p95", "quota", "change"])}
    ${input("windowMinutes", "Window (min)", ' size="5" inputmode="numeric"')} ${input("threshold", "Threshold", ' size="5" inputmode="decimal"')}
    ${input("minInvocations", "At least (invocations)", ' size="7" inputmode="numeric"')}</div>
  <div class="row">${select("limit", "Limit", ["", "cpu", "subrequests", "any"])} ${input("share", "Share", ' size="5" inputmode="decimal"')}
    ${select("metric", "Metric", ["", "invocations", "cpu_ms", "errors"])} ${input("factor", "Factor", ' size="5" inputmode="decimal"')}
    ${select("baseline", "Baseline", ["", "previous", "median_7d"])}</div>
  <div class="row">${input("amount", "Amount", ' size="10" inputmode="numeric"')} ${input("periodSeconds", "Period (s, blank: month)", ' size="8" inputmode="numeric"')}
    ${box("onForecast", "fire on the forecast")} ${box("stop", "stop the tenant at 100 %")}</div>
  <div class="row">${input("cooldownMinutes", "Cooldown (min)", ' size="5" inputmode="numeric"')} ${box("enabled", "enabled")}</div>
  <fieldset class="row"><legend>Notify</legend>${hookBoxes}${hookReason.note}</fieldset>
  <div class="row"><button type="submit">Save rule</button></div>
</form>`;
}

export function webhookForm(principal: Principal, form: { values: WebhookFormValues; refusal: Refusal } | null): Html {
  const v = form?.values ?? { id: "", url: "", format: "json" };
  const why = reasons("webhook", form?.refusal ?? null);
  const id = why("id"), url = why("url"), format = why("format"), secret = why("secret");
  const whole = form !== null && form.refusal.field === null ? html`<p class="error" role="alert">${form.refusal.message}</p>` : html``;
  return html`<h2 id="webhook-form">Add or change a webhook</h2>
<p class="note">Deliveries are signed: <code>x-tenantscope-signature: t=&lt;unix&gt;,v1=&lt;hex&gt;</code>, the HMAC-SHA256 of <code>t.body</code> under the secret. For an existing webhook, a blank URL or secret keeps the current one. The secret is never shown again.</p>
${whole}
<form method="post" action="/alerts/webhooks" class="row" id="webhook-edit">${csrfField(principal)}
  <label for="webhook-id">Id</label> <input id="webhook-id" name="id" value="${v.id}" size="14" required${id.attrs}>${id.note}
  <label for="webhook-url">URL</label> <input id="webhook-url" name="url" type="url" value="${v.url}" size="32"${url.attrs}>${url.note}
  <label for="webhook-format">Format</label> <select id="webhook-format" name="format"${format.attrs}>${options(["json", "slack"], v.format)}</select>${format.note}
  <label for="webhook-secret">Secret</label> <input id="webhook-secret" name="secret" type="password" autocomplete="new-password" size="20"${secret.attrs}>${secret.note}
  <button type="submit">Save webhook</button>
</form>`;
}
