/** `tenantscope plan list|set`: plan limits in KV (`plan:<name>`), over the built-ins. */
import { changedOutside } from "@tenantscope/core/audit";
import { BUILTIN_PLANS, kvKeys, parsePlanRecord, type PlanPrice } from "@tenantscope/core/plans";
import { arg, int, printJson, str, table, type Group, type Values } from "../command.ts";
import { UsageError } from "../errors.ts";
import { PlansStore } from "../kv.ts";

interface PlanRow {
  plan: string;
  cpuMs: number | null;
  subRequests: number | null;
  price?: PlanPrice;
  source: "kv" | "builtin" | "kv (overrides builtin)" | "kv (invalid)";
  problem?: string;
  /** The record was not written through tenantscope (a direct KV write): not in the audit log. */
  changedOutside?: boolean;
}

/** `--price` and its overage flags → the record's price; null: no price flag given; "remove": `--no-price`. */
function priceFlags(values: Values): Record<string, number> | "remove" | null {
  const usd = (name: string): number | undefined => {
    const raw = str(values, name);
    if (raw === undefined) return undefined;
    const n = Number(raw.replace(/^\$/, ""));
    if (raw.trim() === "" || !Number.isFinite(n) || n < 0) throw new UsageError(`--${name} must be an amount of USD, 0 or more, got "${raw}"`);
    return n;
  };
  const price: Record<string, number> = {};
  const set = (key: keyof PlanPrice, v: number | undefined): void => {
    if (v !== undefined) price[key] = v;
  };
  set("monthly", usd("price"));
  set("includedRequests", int(values, "included-requests", 0));
  set("perMillionRequests", usd("request-overage"));
  set("includedCpuMs", int(values, "included-cpu-ms", 0));
  set("perMillionCpuMs", usd("cpu-overage"));
  if (values["no-price"] === true) {
    if (Object.keys(price).length > 0) throw new UsageError("--no-price cannot be combined with price flags");
    return "remove";
  }
  if (Object.keys(price).length === 0) return null;
  if (price.monthly === undefined) throw new UsageError("give --price (USD a month) with the overage flags");
  return price;
}

function priceText(p: PlanPrice | undefined): string {
  if (p === undefined) return "-";
  const over = [
    p.perMillionRequests > 0 ? `+$${p.perMillionRequests}/M req over ${p.includedRequests}` : "",
    p.perMillionCpuMs > 0 ? `+$${p.perMillionCpuMs}/M cpu-ms over ${p.includedCpuMs}` : "",
  ].filter((x) => x !== "");
  return [`$${p.monthly}/mo`, ...over].join(", ");
}

export const planGroup: Group = {
  summary: "plans and their limits",
  commands: {
    list: {
      usage: "plan list",
      summary: "list plans: KV records and the built-ins they override",
      args: [0, 0],
      async run(ctx) {
        const plans = new PlansStore(ctx.api, ctx.env);
        const rows = new Map<string, PlanRow>();
        for (const [plan, limits] of Object.entries(BUILTIN_PLANS)) rows.set(plan, { plan, ...limits, source: "builtin" });
        for (const { name: key, metadata } of await plans.keysWithMetadata(kvKeys.planPrefix)) {
          const plan = key.slice(kvKeys.planPrefix.length);
          const text = await plans.get(key);
          if (text === null) continue; // deleted between list and read
          const parsed = parsePlanRecord(text);
          const outside = (await changedOutside(text, metadata)) ? { changedOutside: true } : {};
          if (!parsed.ok) {
            rows.set(plan, { plan, cpuMs: null, subRequests: null, source: "kv (invalid)", problem: parsed.message, ...outside });
            continue;
          }
          rows.set(plan, { plan, ...parsed.value, source: plan in BUILTIN_PLANS ? "kv (overrides builtin)" : "kv", ...outside });
        }
        const sorted = [...rows.values()].sort((a, b) => a.plan.localeCompare(b.plan));
        if (ctx.json) return printJson(ctx, sorted);
        ctx.out(table(["PLAN", "CPU MS", "SUBREQUESTS", "PRICE", "SOURCE"], sorted.map((r) =>
          [r.plan, String(r.cpuMs ?? "-"), String(r.subRequests ?? "-"), priceText(r.price),
            `${r.problem === undefined ? r.source : `${r.source}: ${r.problem}`}${r.changedOutside === true ? ", changed outside tenantscope" : ""}`])));
      },
    },
    set: {
      usage: "plan set <plan> [--cpu-ms N] [--subrequests N] [--price USD [--included-requests N --request-overage USD] [--included-cpu-ms N --cpu-overage USD] | --no-price]",
      summary: "create or change a plan in KV: limits and the price per tenant a month, overage per million (a missing flag keeps the current value)",
      options: {
        "cpu-ms": { type: "string" }, subrequests: { type: "string" },
        price: { type: "string" }, "included-requests": { type: "string" }, "request-overage": { type: "string" },
        "included-cpu-ms": { type: "string" }, "cpu-overage": { type: "string" }, "no-price": { type: "boolean" },
      },
      args: [1, 1],
      async run(ctx, args, values) {
        const name = arg(args, 0);
        const plans = new PlansStore(ctx.api, ctx.env);
        const cpuMs = int(values, "cpu-ms");
        const subRequests = int(values, "subrequests");
        const price = priceFlags(values);
        if (cpuMs === undefined && subRequests === undefined && price === null) throw new UsageError("give --cpu-ms, --subrequests and/or --price");
        // The store lays the change over the current record, so a price edit keeps the limits and the reverse.
        const change: Record<string, unknown> = {};
        if (cpuMs !== undefined) change.cpuMs = cpuMs;
        if (subRequests !== undefined) change.subRequests = subRequests;
        if (price !== null) change.price = price === "remove" ? null : price;
        const { limits } = await plans.setPlan(name, change);
        if (ctx.json) return printJson(ctx, { plan: name, ...limits });
        ctx.out(`plan ${name}: cpuMs ${limits.cpuMs}, subRequests ${limits.subRequests}, price ${priceText(limits.price)} (dispatchers pick up limits within their plan cache TTL)`);
      },
    },
  },
};
