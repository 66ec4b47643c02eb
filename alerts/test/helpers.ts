/**
 * Recorded SQL answers and rule builders for the evaluator's tests. Answers are keyed by
 * the exact SQL text the evaluator must send for a shape at the test's clock, so a test
 * also fails when the evaluator asks for something else (or once per rule).
 */
import type { AlertCondition, AlertRule } from "@tenantscope/core/alerts";
import type { Row, SqlResult } from "@tenantscope/core/sql-client";
import type { SqlQuery } from "../src/figures.ts";
import { shapeSql, type Shape } from "../src/shapes.ts";

export const T0 = Date.parse("2026-12-15T12:00:00Z");
export const MIN = 60_000;

export function rule(id: string, condition: AlertCondition, extra: Partial<AlertRule> = {}): AlertRule {
  return { id, name: `Rule ${id}`, scope: { kind: "all" }, condition, cooldownMinutes: 30, webhooks: ["ops"], enabled: true, ...extra };
}

export const errorRate = (threshold = 0.2, minInvocations = 20, windowMinutes = 5): AlertCondition => ({ kind: "error_rate", windowMinutes, threshold, minInvocations });

/** A row of the window shape's answer. */
export function windowRow(tenant: string, f: { invocations: number; errors?: number; plan?: string; customer?: string; cpuHits?: number; subrequestHits?: number; limitHits?: number; cpuP95?: number; cpuLimit?: number }): Row {
  return {
    tenant,
    plan: f.plan ?? "free",
    customer: f.customer ?? "",
    invocations: f.invocations,
    errors: f.errors ?? 0,
    cpu_hits: f.cpuHits ?? 0,
    subrequest_hits: f.subrequestHits ?? 0,
    limit_hits: f.limitHits ?? (f.cpuHits ?? 0) + (f.subrequestHits ?? 0),
    cpu_p95: f.cpuP95 ?? 1,
    cpu_limit: f.cpuLimit ?? 10,
  };
}

export const countRow = (tenant: string, invocations: number, errors = 0): Row => ({ tenant, invocations, errors });
export const spanRow = (tenant: string, span: number, invocations: number, errors = 0): Row => ({ tenant, span, invocations, errors });
export const periodRow = (tenant: string, invocations: number, cpuMs = 0, plan = "free", customer = ""): Row => ({ tenant, plan, customer, invocations, cpu_ms: cpuMs });

export const result = (rows: Row[]): SqlResult => ({ meta: [], rows, rowsBeforeLimit: null, datasetMissing: false });

/** Answers each shape's SQL at `nowMs` with its rows (no rows when a shape is not listed); records every text. */
export function recordedSql(nowMs: number, answers: [Shape, Row[]][]): SqlQuery & { sent: string[] } {
  const byText = new Map(answers.map(([s, rows]) => [shapeSql(s, nowMs), rows]));
  const sent: string[] = [];
  return {
    sent,
    async query(text) {
      sent.push(text);
      return result(byText.get(text) ?? []);
    },
  };
}
