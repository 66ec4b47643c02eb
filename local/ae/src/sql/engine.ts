/** Runs one AE SQL statement against the local stores and renders the answer. */
import { type AnalyticsStore, CATALOG, type QueryResult } from "../store.ts";
import type { Format } from "./ast.ts";
import { SqlError } from "./errors.ts";
import { RAISED } from "./function-kit.ts";
import { TIMEZONES } from "./functions-date.ts";
import { type ResultSet, render } from "./format.ts";
import { MAX_RESULT_BYTES, checkQuerySize, sqliteLimit } from "./limits.ts";
import { parse } from "./parser.ts";
import { datasetOf, translateSelect } from "./select.ts";

export interface SqlAnswer {
  body: string;
  contentType: string;
}

function store(env: Env, name: string): DurableObjectStub<AnalyticsStore> {
  return env.AE_STORE.get(env.AE_STORE.idFromName(name));
}

/**
 * Errors the translated SQL raises on purpose (division by zero) become 400s with their
 * text, and so do SQLite's refusals of a statement past one of its limits, named.
 */
async function raised(p: Promise<QueryResult>): Promise<QueryResult> {
  let result: QueryResult;
  try {
    result = await p;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const m = RAISED.exec(message);
    if (m?.[1] !== undefined) throw new SqlError(m[1]);
    throw sqliteLimit(message) ?? e;
  }
  if (result.tooLarge) throw new SqlError(`The result is larger than ${MAX_RESULT_BYTES / 1024 / 1024} MiB, the local AE's limit: add a LIMIT or select fewer columns`);
  return result;
}

/**
 * The backstop behind limits.ts's depth and size checks: whatever still overflows the
 * stack or a string while parsing or translating is the query's fault, not ours.
 */
function bounded<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof RangeError) throw new SqlError("The query is too deeply nested or too long to translate", 400);
    throw error;
  }
}

export async function runSql(env: Env, sql: string, now = Date.now()): Promise<SqlAnswer> {
  checkQuerySize(sql);
  const stmt = bounded(() => parse(sql));
  const datasets = await store(env, CATALOG).listDatasets();
  let rs: ResultSet;
  let format: Format = stmt.format;
  if (stmt.kind === "show") {
    // Only UTC exists locally, so SHOW TIMEZONES lists the names of UTC the stand-in accepts.
    const rows = stmt.what === "TABLES" ? datasets : stmt.what === "TIMEZONES" ? TIMEZONES : ["Etc/UTC"];
    const name = stmt.what === "TABLES" ? "dataset" : stmt.what === "TIMEZONES" ? "name" : "timezone";
    rs = { columns: [{ name, type: "String" }], rows: rows.map((d) => [d]), rowsBeforeLimit: rows.length };
    format = stmt.format;
  } else {
    const dataset = datasetOf(stmt);
    if (dataset !== null && !datasets.includes(dataset)) {
      throw new SqlError(`Unknown table '${dataset}': no data has been written to that dataset (SHOW TABLES lists them)`, 422);
    }
    const t = bounded(() => translateSelect(stmt, Math.floor(now / 1000)));
    // Without a dataset (SELECT 1, FROM (SELECT 1)) any store can compute it: the catalog's.
    const target = store(env, dataset ?? CATALOG);
    const result = await raised(target.query(t.sql, t.params));
    const rows = result.rows.map((row) => row.slice(0, t.columns.length));
    // A windowed count rides on every row; with no row (an OFFSET past the end) ask again.
    const carried = t.windowed ? result.rows[0]?.at(-1) : undefined;
    const before = carried !== undefined ? Number(carried)
      : t.countSql === null ? rows.length
      : Number((await raised(target.query(t.countSql, t.countParams))).rows[0]?.[0] ?? 0);
    rs = { columns: t.columns, rows, rowsBeforeLimit: before };
  }
  return render(rs, format);
}
