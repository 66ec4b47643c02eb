/**
 * Every query parameter a reader can send, validated against an allow-list or a
 * strict pattern before it can reach SQL. A bad value is a 400 that says what is
 * allowed; nothing is silently replaced by a default.
 */
import { isTenantName } from "@tenantscope/core/names";
import { isCustomerId } from "@tenantscope/core/customers";
import { isPlanName } from "@tenantscope/core/plans";
import { periodRefusal } from "@tenantscope/core/usage";
import type { MiddlewareHandler } from "hono";
import { badRequest } from "./errors.ts";

const DAY = 24 * 60 * 60_000;

export { BUCKETS, type BucketKey, type RangeKey } from "./time.ts";

function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined || value === "") return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw badRequest(`${name} must be one of ${allowed.join(", ")}.`);
}

/**
 * The query parameters a route takes. Any other, or one given twice, is a 400 that
 * names it: a misspelt `form=` must not quietly show the default window.
 */
export function allowQuery(...names: string[]): MiddlewareHandler {
  const allowed = new Set(names);
  return async function checkQueryParameters(c, next) {
    const seen = new Set<string>();
    for (const key of new URL(c.req.url).searchParams.keys()) {
      const shown = key.length > 40 ? `${key.slice(0, 40)}…` : key;
      if (!allowed.has(key)) {
        throw badRequest(names.length === 0 ? `Unknown query parameter "${shown}": this page takes none.` : `Unknown query parameter "${shown}": this page takes ${names.join(", ")}.`);
      }
      if (seen.has(key)) throw badRequest(`Query parameter "${shown}" is given more than once.`);
      seen.add(key);
    }
    await next();
  };
}

/** A search for tenants: a part of a tenant name (letters, digits, dashes). */
export function parseSearch(value: string | undefined): string | null {
  if (value === undefined || value.trim() === "") return null;
  const q = value.trim().toLowerCase();
  if (!/^[a-z0-9-]{1,63}$/.test(q)) throw badRequest("q (tenant search) may hold only letters, digits and dashes, at most 63.");
  return q;
}

/** The overview's grouping: by tenant (default) or, in addition, by customer. */
export function parseGroup(value: string | undefined): "tenant" | "customer" {
  return oneOf("group", value, ["tenant", "customer"] as const, "tenant");
}

export function parseDir(value: string | undefined): "asc" | "desc" {
  return oneOf("dir", value, ["asc", "desc"] as const, "desc");
}

export function parseSort<T extends string>(value: string | undefined, allowed: readonly T[], fallback: T): T {
  return oneOf("sort", value, allowed, fallback);
}

/** A positive integer within bounds; only digits are accepted (no signs, exponents or spaces). */
export function parseIntParam(name: string, value: string | undefined, min: number, max: number, fallback?: number): number {
  if (value === undefined || value === "") {
    if (fallback !== undefined) return fallback;
    throw badRequest(`${name} is required.`);
  }
  const n = /^\d{1,10}$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) throw badRequest(`${name} must be a whole number from ${min} to ${max}.`);
  return n;
}

export function parseTenant(value: string | undefined): string {
  if (value === undefined || !isTenantName(value)) {
    throw badRequest("tenant must be a tenant name: lower-case letters, digits and dashes, 1-63 characters.");
  }
  return value;
}

export function parsePlanName(value: string | undefined): string {
  if (value === undefined || !isPlanName(value)) throw badRequest("plan must be a plan name: lower-case letters, digits and dashes, 1-63 characters.");
  return value;
}

export interface Period {
  /** Inclusive start, ms since the epoch (UTC midnight). */
  from: number;
  /** Exclusive end. */
  to: number;
  label: string;
}

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;
const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MAX_PERIOD_DAYS = 366;

function utcDay(value: string, name: string): number {
  const m = DAY_RE.exec(value);
  const ms = m === null ? NaN : Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  // Round-trip check: Date.UTC would turn 2026-02-31 into March 3rd.
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== value) throw badRequest(`${name} must be a date YYYY-MM-DD.`);
  return ms;
}

/**
 * The billing period: `month=YYYY-MM`, or `from=YYYY-MM-DD&to=YYYY-MM-DD` (both days
 * included), or by default the current UTC calendar month.
 */
export function parsePeriod(q: { month?: string | undefined; from?: string | undefined; to?: string | undefined }, nowMs: number): Period {
  if (q.from !== undefined || q.to !== undefined) {
    if (q.month !== undefined) throw badRequest("Give either month, or from and to, not both.");
    if (q.from === undefined || q.to === undefined) throw badRequest("from and to go together (YYYY-MM-DD, both days included).");
    const from = utcDay(q.from, "from");
    const to = utcDay(q.to, "to") + DAY;
    if (to <= from) throw badRequest("to must not be before from.");
    if (to - from > MAX_PERIOD_DAYS * DAY) throw badRequest(`A period is at most ${MAX_PERIOD_DAYS} days.`);
    return { from, to, label: `${q.from}_${q.to}` };
  }
  let year: number;
  let month: number;
  if (q.month !== undefined) {
    const m = MONTH.exec(q.month);
    if (m === null) throw badRequest("month must be YYYY-MM.");
    year = Number(m[1]);
    month = Number(m[2]) - 1;
  } else {
    const now = new Date(nowMs);
    year = now.getUTCFullYear();
    month = now.getUTCMonth();
  }
  const from = Date.UTC(year, month, 1);
  const to = Date.UTC(year, month + 1, 1);
  return { from, to, label: new Date(from).toISOString().slice(0, 7) };
}

/** A period the usage export can answer in full or up to now; else a 400 that says why (future, or past AE's retention). */
export function checkPeriod(period: Period, nowMs: number): Period {
  const refusal = periodRefusal(period, nowMs);
  if (refusal !== null) throw badRequest(refusal);
  return period;
}

/** A customer filter: a customer id (the tag's, without the prefix) or the name of a tenant that is its own customer. */
export function parseCustomer(value: string | undefined): string | null {
  if (value === undefined || value === "") return null;
  if (!isCustomerId(value)) throw badRequest("customer must be a customer id: letters, digits, '.', '_' and '-', 1-64 characters, starting with a letter or digit.");
  return value;
}
