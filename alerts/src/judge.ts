/**
 * Whether one rule holds for one tenant, from the run's answers: the value, the threshold
 * it is compared with, and the window it covers. Pure: the clock is an argument.
 */
import type { AlertCondition } from "@tenantscope/core/alerts";
import { median, type Answers, type Counts, type PeriodFigures, type WindowFigures, type Who } from "./figures.ts";
import { MEDIAN_SPANS, periodAt, rangeOf, shapeKey, type Period } from "./shapes.ts";

export interface Judgement {
  firing: boolean;
  value: number;
  threshold: number;
  window: Period;
  /** The plan and customer the tenant's points recorded; null when it had none in the rule's window. */
  who: Who | null;
  /** Quota rules: the linear forecast to the period's end, and the period's end when the rule stops the tenant now. */
  forecast?: number;
  stopUntil?: number;
}

/** Before this share of a period has passed, a forecast extrapolates too little data to fire on. */
export const FORECAST_MIN_ELAPSED = 0.05;

const ZERO: Counts = { invocations: 0, errors: 0 };

function windowOf(answers: Answers, minutes: number, tenant: string): WindowFigures | null {
  const a = answers.get(shapeKey({ kind: "window", minutes }));
  return a?.kind === "window" ? (a.tenants.get(tenant) ?? null) : null;
}

function baselineOf(answers: Answers, c: Extract<AlertCondition, { kind: "change" }>, tenant: string): number {
  const a = answers.get(shapeKey({ kind: c.baseline === "previous" ? "previous" : "median", minutes: c.windowMinutes }));
  if (a?.kind === "previous") return (a.tenants.get(tenant) ?? ZERO)[c.metric];
  if (a?.kind === "median") return median((a.tenants.get(tenant) ?? Array<Counts>(MEDIAN_SPANS).fill(ZERO)).map((s) => s[c.metric]));
  return 0;
}

function quota(c: Extract<AlertCondition, { kind: "quota" }>, answers: Answers, tenant: string, nowMs: number): Judgement {
  const period = periodAt(c.periodSeconds, nowMs);
  const a = answers.get(shapeKey({ kind: "period", seconds: c.periodSeconds }));
  const f: PeriodFigures | null = a?.kind === "period" ? (a.tenants.get(tenant) ?? null) : null;
  const used = f === null ? 0 : c.metric === "invocations" ? f.invocations : f.cpuMs;
  const length = period.to - period.from;
  const elapsed = Math.max(1000, nowMs - period.from);
  const forecast = (used * length) / elapsed;
  const reached = used >= c.amount;
  const forecastFires = c.onForecast && elapsed >= FORECAST_MIN_ELAPSED * length && forecast >= c.amount;
  return {
    firing: reached || forecastFires,
    value: used,
    threshold: c.amount,
    window: period,
    who: f === null ? null : { plan: f.plan, customer: f.customer },
    forecast,
    ...(reached && c.stop ? { stopUntil: period.to } : {}),
  };
}

export function judge(c: AlertCondition, answers: Answers, tenant: string, nowMs: number): Judgement {
  if (c.kind === "quota") return quota(c, answers, tenant, nowMs);
  const window = rangeOf({ kind: "window", minutes: c.windowMinutes }, nowMs);
  const f = windowOf(answers, c.windowMinutes, tenant);
  const who = f === null ? null : { plan: f.plan, customer: f.customer };
  const inv = f?.invocations ?? 0;
  const enough = inv > 0 && inv >= c.minInvocations;
  const share = (part: number): number => (inv > 0 ? part / inv : 0);
  if (c.kind === "error_rate") {
    const value = share(f?.errors ?? 0);
    return { firing: enough && value >= c.threshold, value, threshold: c.threshold, window, who };
  }
  if (c.kind === "limit_rate") {
    const hits = f === null ? 0 : c.limit === "cpu" ? f.cpuHits : c.limit === "subrequests" ? f.subrequestHits : f.limitHits;
    const value = share(hits);
    return { firing: enough && value >= c.threshold, value, threshold: c.threshold, window, who };
  }
  if (c.kind === "cpu_p95") {
    const value = f?.cpuP95 ?? 0;
    const threshold = c.share * (f?.cpuLimit ?? 0);
    return { firing: enough && threshold > 0 && value >= threshold, value, threshold, window, who };
  }
  // A sudden change: the window's count of the metric, at least minInvocations of it, at
  // least `factor` times the baseline and above it (from a baseline of 0, any volume past the minimum).
  const value = f === null ? 0 : f[c.metric];
  const baseline = baselineOf(answers, c, tenant);
  const threshold = c.factor * baseline;
  return { firing: value >= c.minInvocations && value >= threshold && value > baseline, value, threshold, window, who };
}
