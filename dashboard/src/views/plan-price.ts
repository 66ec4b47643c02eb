/** A plan card's money: its price, this month's margin on it, and the price form. */
import type { MarginGroup } from "@tenantscope/core/margin";
import type { PlanPrice } from "@tenantscope/core/plans";
import { html } from "hono/html";
import type { Principal } from "../auth/users.ts";
import { fmtInt, fmtUsd } from "./format.ts";
import { csrfField, type Html } from "./layout.ts";
import { priceText } from "./margin.ts";

/** A "Save price" the validator refused: the typed values stay, the reason beside them. */
export interface RejectedPrice {
  plan: string;
  fields: Record<string, string>;
  message: string;
}

const FIELDS: { name: keyof PlanPrice; label: string }[] = [
  { name: "monthly", label: "USD a month" },
  { name: "includedRequests", label: "Requests included" },
  { name: "perMillionRequests", label: "USD per extra million requests" },
  { name: "includedCpuMs", label: "CPU ms included" },
  { name: "perMillionCpuMs", label: "USD per extra million CPU ms" },
];

function priceForm(plan: string, price: PlanPrice | undefined, principal: Principal, rejected: RejectedPrice | null): Html {
  const value = (name: keyof PlanPrice): string => rejected?.fields[name] ?? (price === undefined ? "" : String(price[name]));
  const reason = rejected === null ? html`` : html`<span class="error" role="alert" id="rejected-price-${plan}">${rejected.message}</span>`;
  const described = rejected === null ? "" : html` aria-describedby="rejected-price-${plan}"`;
  return html`<form method="post" action="/plans/${plan}/price" class="row price-form">${csrfField(principal)}
  ${FIELDS.map((f) => html`<label>${f.label} <input name="${f.name}" inputmode="decimal" size="8" value="${value(f.name)}"${described}></label>`)}
  <button type="submit">Save price</button>${reason}
  <small>An empty monthly fee removes the price.</small></form>`;
}

function monthLine(g: MarginGroup | null): Html {
  if (g === null) return html`<p class="note">No invocations on this plan this month yet.</p>`;
  const revenue = g.revenue === null ? "— (no price)" : fmtUsd(g.revenue);
  const margin = g.margin === null ? "—" : html`<b data-figure="plan-margin"${g.loss ? html` class="bad"` : ""}>${fmtUsd(g.margin)}${g.loss ? " (loss)" : ""}</b>`;
  return html`<p>This month so far: ${fmtInt(g.tenants)} tenants, revenue ${revenue}, estimated cost ${fmtUsd(g.cost)}, margin ${margin}.</p>`;
}

export function planMoney(plan: string, price: PlanPrice | undefined, month: MarginGroup | null | undefined, principal: Principal, rejected: RejectedPrice | null): Html {
  const canEdit = principal.role === "operator" && principal.tenant === null;
  // undefined: no margin for this reader (scoped to one tenant), so no money line at all.
  const line = month === undefined ? html`` : monthLine(month);
  return html`<p>Price: <b data-figure="plan-price">${priceText(price)}</b></p>${line}${canEdit ? priceForm(plan, price, principal, rejected) : html``}`;
}
