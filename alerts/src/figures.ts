/**
 * The answers of one run's queries (shapes.ts), read into per-tenant figures. A tenant
 * absent from an answer had no invocations there: its figures are zero.
 */
import { isTenantName } from "@tenantscope/core/names";
import { num, str, type Row, type SqlResult } from "@tenantscope/core/sql-client";
import { MEDIAN_SPANS, shapeKey, shapeSql, type Shape } from "./shapes.ts";

export interface Who {
  plan: string;
  /** "" when the tenant has no customer tag (it is its own customer). */
  customer: string;
}

export interface Counts {
  invocations: number;
  errors: number;
}

export interface WindowFigures extends Who, Counts {
  cpuHits: number;
  subrequestHits: number;
  limitHits: number;
  cpuP95: number;
  /** The largest CPU limit that applied in the window (ms); 0 when none was recorded. */
  cpuLimit: number;
}

export interface PeriodFigures extends Who {
  invocations: number;
  cpuMs: number;
}

export type ShapeAnswer =
  | { kind: "window"; tenants: Map<string, WindowFigures> }
  | { kind: "previous"; tenants: Map<string, Counts> }
  /** Index d - 1 holds window d (1–7 spans back); a missing window is zeros. */
  | { kind: "median"; tenants: Map<string, Counts[]> }
  | { kind: "period"; tenants: Map<string, PeriodFigures> };

export type Answers = Map<string, ShapeAnswer>;

/** What a run needs from the SQL client (core/src/sql-client.ts `SqlClient`). */
export interface SqlQuery {
  query(sql: string): Promise<SqlResult>;
}

const counts = (row: Row): Counts => ({ invocations: num(row, "invocations"), errors: num(row, "errors") });
const who = (row: Row): Who => ({ plan: str(row, "plan"), customer: str(row, "customer") });

/** Rows of tenants only: the index holds DNS-label tenant names (anything else is not a tenant's). */
function tenantRows(result: SqlResult): [string, Row][] {
  const rows: [string, Row][] = [];
  for (const row of result.rows) {
    const tenant = str(row, "tenant");
    if (isTenantName(tenant)) rows.push([tenant, row]);
  }
  return rows;
}

export function readAnswer(shape: Shape, result: SqlResult): ShapeAnswer {
  const rows = tenantRows(result);
  if (shape.kind === "window") {
    const tenants = new Map<string, WindowFigures>();
    for (const [t, r] of rows) {
      tenants.set(t, {
        ...who(r),
        ...counts(r),
        cpuHits: num(r, "cpu_hits"),
        subrequestHits: num(r, "subrequest_hits"),
        limitHits: num(r, "limit_hits"),
        cpuP95: num(r, "cpu_p95"),
        cpuLimit: num(r, "cpu_limit"),
      });
    }
    return { kind: "window", tenants };
  }
  if (shape.kind === "period") {
    return { kind: "period", tenants: new Map(rows.map(([t, r]) => [t, { ...who(r), invocations: num(r, "invocations"), cpuMs: num(r, "cpu_ms") }])) };
  }
  if (shape.kind === "previous") return { kind: "previous", tenants: new Map(rows.map(([t, r]) => [t, counts(r)])) };
  const tenants = new Map<string, Counts[]>();
  for (const [t, r] of rows) {
    const span = num(r, "span");
    if (!Number.isInteger(span) || span < 1 || span > MEDIAN_SPANS) continue;
    const spans = tenants.get(t) ?? Array.from({ length: MEDIAN_SPANS }, () => ({ invocations: 0, errors: 0 }));
    spans[span - 1] = counts(r);
    tenants.set(t, spans);
  }
  return { kind: "median", tenants };
}

/** One query per shape, all at once (a run has a handful). Any failure fails the run: no rule is judged on missing data. */
export async function queryShapes(sql: SqlQuery, shapes: readonly Shape[], nowMs: number): Promise<Answers> {
  const answers = await Promise.all(shapes.map(async (s) => [shapeKey(s), readAnswer(s, await sql.query(shapeSql(s, nowMs)))] as const));
  return new Map(answers);
}

/** The median of the seven windows (missing ones count as zero). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}
