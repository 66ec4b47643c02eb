/**
 * A batch of traces → at most AE_LIMITS.writesPerInvocation (250) data points. Every step is guarded: an error
 * thrown inside a tail handler is silent in production, so this module never
 * throws, and logs every failure itself.
 */
import type { AnalyticsEngineDataset } from "@cloudflare/workers-types";
import { parseCustomerPrefix } from "@tenantscope/core/customers";
import { resolveTenant, type KVReader, type TtlCache } from "@tenantscope/core/plan-resolver";
import { AE_LIMITS, toDataPoint, type InvocationRow } from "@tenantscope/core/schema";
import { PLAN_VARS_FALLBACK, parsePlanVars, type PlanSettings, type PlanVars } from "@tenantscope/core/vars";
import { answerRows } from "./answers.ts";
import { foldToLimit } from "./fold.ts";
import { planFromEvent, traceTenant, traceToRow, type PlanInfo } from "./trace.ts";

/**
 * What handleTail reads of the env. INVOCATIONS is workers-types' own
 * `AnalyticsEngineDataset`, imported as a module rather than through the global
 * `Env`, so a Node program (bench/p3-tail.ts) can type-check against it without
 * a Worker's globals; index.ts hands over the generated Env, which must fit.
 * PLANS is only ever read by core's plan resolver, so it is typed by what that
 * reads (`KVReader`, which `KVNamespace` fits).
 */
export interface TailEnv extends PlanVars {
  INVOCATIONS: AnalyticsEngineDataset;
  PLANS: KVReader;
  /** The script-tag prefix that names a tenant's customer (default `customer:`). */
  CUSTOMER_TAG_PREFIX?: string;
}

export interface TailOptions {
  log?: (message: string) => void;
  cache?: TtlCache;
  now?: () => number;
}

export interface TailSummary {
  traces: number;
  /** Traces without `dispatchNamespace`: not tenant usage; only their answer lines are written. */
  skipped: number;
  /** Requests the dispatcher answered itself, from its answer lines (answers.ts). */
  answers: number;
  /** Traces that could not be read at all (logged). */
  failed: number;
  points: number;
  writeErrors: number;
}

/** Vars are the platform's own; a bad one is logged and replaced, since a tail cannot fail a request. */
function resolverSettings(vars: PlanVars, log: (m: string) => void): PlanSettings {
  const parsed = parsePlanVars(vars);
  if (parsed.ok) return parsed.value;
  log(`tenantscope-tail: ${parsed.message}; using ${JSON.stringify(PLAN_VARS_FALLBACK)}`);
  return PLAN_VARS_FALLBACK;
}

/** KV lookups only for tenants whose traces lack the dispatcher's headers (non-fetch events). */
async function fallbackPlans(traces: readonly unknown[], env: TailEnv, options: TailOptions, log: (m: string) => void): Promise<Map<string, PlanInfo>> {
  const tenants = new Set<string>();
  for (const trace of traces) {
    try {
      const tenant = traceTenant(trace);
      const event = typeof trace === "object" && trace !== null && "event" in trace ? trace.event : null;
      if (tenant !== null && planFromEvent(event) === null) tenants.add(tenant);
    } catch (error) {
      // A hostile getter on a trace; traceToRow will meet it again and count it as failed.
      log(`tenantscope-tail: cannot read a trace for its plan (${String(error)})`);
    }
  }
  const plans = new Map<string, PlanInfo>();
  if (tenants.size === 0) return plans;
  const settings = resolverSettings(env, log);
  await Promise.all(
    [...tenants].map(async (tenant) => {
      try {
        const r = await resolveTenant(env.PLANS, tenant, { ...settings, log, cache: options.cache, now: options.now });
        plans.set(tenant, { plan: r.plan, limits: r.limits, source: r.source });
      } catch (error) {
        log(`tenantscope-tail: plan lookup for "${tenant}" failed (${String(error)}); recording no plan`);
      }
    }),
  );
  return plans;
}

/**
 * Both kinds within one invocation's write limit, never folded together: answers get
 * what tenant rows leave, but at most half of the limit when both overflow.
 */
function boundedPoints(rows: readonly InvocationRow[], answers: readonly InvocationRow[], limit: number): InvocationRow[] {
  if (rows.length + answers.length <= limit) return [...rows, ...answers];
  const answerBudget = Math.min(answers.length, limit - Math.min(rows.length, Math.ceil(limit / 2)));
  return [...foldToLimit(rows, limit - answerBudget), ...(answerBudget === 0 ? [] : foldToLimit(answers, answerBudget))];
}

export async function handleTail(events: unknown, env: TailEnv, options: TailOptions = {}): Promise<TailSummary> {
  const log = options.log ?? console.error;
  const traces = Array.isArray(events) ? events : [];
  if (!Array.isArray(events)) log(`tenantscope-tail: tail() got ${typeof events}, not an array; nothing to record`);
  const summary: TailSummary = { traces: traces.length, skipped: 0, answers: 0, failed: 0, points: 0, writeErrors: 0 };

  const plans = await fallbackPlans(traces, env, options, log);
  const prefix = parseCustomerPrefix(env.CUSTOMER_TAG_PREFIX);
  if (!prefix.ok) log(`tenantscope-tail: ${prefix.message}; using the default`);
  const customerPrefix = prefix.ok ? prefix.value : undefined;
  const rows: InvocationRow[] = [];
  const answers: InvocationRow[] = [];
  const malformed: string[] = [];
  traces.forEach((trace, i) => {
    try {
      const read = traceToRow(trace, (tenant) => plans.get(tenant), customerPrefix);
      if (read.kind === "tenant") {
        rows.push(read.row);
        return;
      }
      // Not a tenant invocation: the dispatcher's trace, whose answer lines are its own answers.
      summary.skipped++;
      const found = answerRows(trace);
      answers.push(...found.rows);
      malformed.push(...found.malformed);
    } catch (error) {
      summary.failed++;
      log(`tenantscope-tail: trace ${i} of ${traces.length} is unreadable and not recorded (${String(error)})`);
    }
  });
  summary.answers = answers.length;
  if (malformed.length > 0) {
    log(`tenantscope-tail: skipped ${malformed.length} malformed dispatcher answer line(s) (${[...new Set(malformed)].slice(0, 5).join("; ")})`);
  }

  const writeFailed = (row: InvocationRow, error: unknown): void => {
    summary.points--;
    summary.writeErrors++;
    log(`tenantscope-tail: writeDataPoint failed for tenant "${row.tenant}" (${row.invocations} invocation(s) lost): ${String(error)}`);
  };
  const pending: Promise<unknown>[] = [];
  for (const row of boundedPoints(rows, answers, AE_LIMITS.writesPerInvocation)) {
    summary.points++;
    try {
      // Cloudflare's binding returns nothing and buffers the write. The local
      // stand-in is an RPC service and answers with a promise, awaited so that the
      // invocation does not end before the write; hence `unknown`, not `void`.
      const written: unknown = env.INVOCATIONS.writeDataPoint(toDataPoint(row));
      // RPC answers are thenables, not always `instanceof Promise`.
      if (written !== undefined) pending.push(Promise.resolve(written).catch((error: unknown) => writeFailed(row, error)));
    } catch (error) {
      writeFailed(row, error);
    }
  }
  await Promise.all(pending);
  return summary;
}
