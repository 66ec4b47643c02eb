/**
 * Resolves a tenant to its plan and limits from KV, with an isolate-level TTL
 * cache so that steady-state requests do no KV read. Shared by the dispatcher
 * and the tail so both agree on what applied.
 */
import {
  BUILTIN_PLANS,
  RESTRICTIVE_PLAN,
  kvKeys,
  parseAssignmentRecord,
  parsePlanRecord,
  type PlanLimits,
  type QuotaStop,
} from "./plans.ts";

/** The one KV method we need; `KVNamespace` satisfies it, and so do test fakes. */
export interface KVReader {
  get(key: string): Promise<string | null>;
}

export type PlanSource = "kv" | "builtin" | "fallback";

export interface ResolvedTenant {
  tenant: string;
  plan: string;
  limits: PlanLimits;
  suspended: boolean;
  /**
   * A quota rule's stop as recorded, whether or not `until` has passed: the dispatcher
   * compares `until` with its clock on every request, so a cached record lifts on time.
   */
  stop: QuotaStop | null;
  /** Where the limits came from; "fallback" means the restrictive plan replaced a failure. */
  source: PlanSource;
}

export interface ResolverOptions {
  ttlMs: number;
  defaultPlan: string;
  now?: () => number;
  log?: (message: string) => void;
  cache?: TtlCache;
}

/** After a KV failure we retry sooner than the normal TTL. */
const FAILURE_TTL_MS = 5_000;
const MAX_ENTRIES = 10_000;

/** A request waiting for another's read of the same key gives up on it after this, and reads itself. */
const PEER_WAIT_MS = 1_000;
const PEER_POLL_MS = 1;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class TtlCache {
  private readonly entries = new Map<string, { value: unknown; expires: number }>();
  /**
   * Keys a request is reading now, with when it started: a flag, never the read's
   * promise. In workerd a request awaiting a promise that another request's I/O
   * settles runs on in that request's context; if that request is cancelled first it
   * hangs ("code had hung"), and otherwise its own I/O fails ("Cannot perform I/O on
   * behalf of a different request"). Both were measured under load.
   */
  private readonly loading = new Map<string, number>();
  private readonly maxEntries: number;

  // A plain field, not a parameter property: the workspace compiles with erasableSyntaxOnly.
  constructor(maxEntries = MAX_ENTRIES) {
    this.maxEntries = maxEntries;
  }

  async getOrLoad<T>(key: string, now: number, load: () => Promise<{ value: T; ttlMs: number }>): Promise<T> {
    const hit = this.fresh(key, now);
    if (hit !== undefined) return hit.value as T;
    const started = this.loading.get(key);
    if (started !== undefined && Date.now() - started < PEER_WAIT_MS) {
      // Concurrent misses still read once: the others wait on timers of their own for the cache.
      const deadline = started + PEER_WAIT_MS;
      while (this.loading.has(key) && Date.now() < deadline) await sleep(PEER_POLL_MS);
      const filled = this.fresh(key, now);
      if (filled !== undefined) return filled.value as T;
    }
    const mine = Date.now();
    this.loading.set(key, mine);
    try {
      const { value, ttlMs } = await load();
      this.set(key, value, now + ttlMs);
      return value;
    } finally {
      // A read that outlived its wait may have been taken over; only the owner clears the flag.
      if (this.loading.get(key) === mine) this.loading.delete(key);
    }
  }

  private fresh(key: string, now: number): { value: unknown; expires: number } | undefined {
    const hit = this.entries.get(key);
    return hit !== undefined && hit.expires > now ? hit : undefined;
  }

  clear(): void {
    this.entries.clear();
  }

  private set(key: string, value: unknown, expires: number): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expires });
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
  }
}

/** One cache per isolate, like the dispatcher's own memory. */
export const isolateCache = new TtlCache();

function restrictive(tenant: string): ResolvedTenant {
  const limits = BUILTIN_PLANS[RESTRICTIVE_PLAN] ?? { cpuMs: 10, subRequests: 10 };
  return { tenant, plan: RESTRICTIVE_PLAN, limits, suspended: false, stop: null, source: "fallback" };
}

async function loadPlan(kv: KVReader, plan: string, log: (m: string) => void): Promise<{ limits: PlanLimits; source: PlanSource } | null> {
  const text = await kv.get(kvKeys.plan(plan));
  if (text !== null) {
    const parsed = parsePlanRecord(text);
    if (parsed.ok) return { limits: parsed.value, source: "kv" };
    log(`tenantscope: plan "${plan}" in KV is invalid (${parsed.message}); ignoring the record`);
  }
  const builtin = BUILTIN_PLANS[plan];
  return builtin === undefined ? null : { limits: builtin, source: "builtin" };
}

async function loadTenant(kv: KVReader, tenant: string, opts: ResolverOptions, log: (m: string) => void): Promise<ResolvedTenant> {
  const text = await kv.get(kvKeys.tenant(tenant));
  let plan = opts.defaultPlan;
  let suspended = false;
  let stop: QuotaStop | null = null;
  if (text !== null) {
    const parsed = parseAssignmentRecord(text);
    if (!parsed.ok) {
      log(`tenantscope: assignment of "${tenant}" is invalid (${parsed.message}); applying the restrictive plan`);
      return restrictive(tenant);
    }
    plan = parsed.value.plan;
    suspended = parsed.value.suspended;
    stop = parsed.value.stop ?? null;
  }
  const found = await loadPlan(kv, plan, log);
  if (found === null) {
    log(`tenantscope: tenant "${tenant}" is on unknown plan "${plan}"; applying the restrictive plan`);
    return { ...restrictive(tenant), suspended, stop };
  }
  return { tenant, plan, limits: found.limits, suspended, stop, source: found.source };
}

export async function resolveTenant(kv: KVReader, tenant: string, opts: ResolverOptions): Promise<ResolvedTenant> {
  const now = (opts.now ?? Date.now)();
  const log = opts.log ?? console.warn;
  const cache = opts.cache ?? isolateCache;
  return cache.getOrLoad(`tenant:${opts.defaultPlan}:${tenant}`, now, async () => {
    try {
      return { value: await loadTenant(kv, tenant, opts, log), ttlMs: opts.ttlMs };
    } catch (error) {
      log(`tenantscope: KV read failed for tenant "${tenant}" (${String(error)}); applying the restrictive plan "${RESTRICTIVE_PLAN}"`);
      return { value: restrictive(tenant), ttlMs: Math.min(opts.ttlMs, FAILURE_TTL_MS) };
    }
  });
}

/** Custom-hostname map: `host:<hostname>` holds a tenant name. Misses are cached too. */
export async function resolveHost(kv: KVReader, host: string, opts: ResolverOptions): Promise<string | null> {
  const now = (opts.now ?? Date.now)();
  const cache = opts.cache ?? isolateCache;
  return cache.getOrLoad(`host:${host}`, now, async () => ({
    value: (await kv.get(kvKeys.host(host)))?.trim() ?? null,
    ttlMs: opts.ttlMs,
  }));
}
