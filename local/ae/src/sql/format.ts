/**
 * Renders result rows in AE's output formats: JSON (default), JSONEachRow, TabSeparated.
 * Arrays (topK) arrive from SQLite as JSON text and render as ClickHouse does: a JSON
 * array whose elements follow the scalar rules (64-bit integers quoted) in JSON, and
 * `['a','b']` / `[1,2]` in TabSeparated.
 */
import type { Format } from "./ast.ts";
import { type ScalarType, type SqlType, elementType, isScalar } from "./types.ts";

export interface ResultSet {
  columns: { name: string; type: SqlType }[];
  rows: unknown[][];
  rowsBeforeLimit: number;
}

type JsonValue = string | number | null | JsonValue[];

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

function dateTime(seconds: number, withTime: boolean): string {
  const d = new Date(seconds * 1000);
  const day = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  return withTime ? `${day} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}` : day;
}

/** The ClickHouse name of a column's type; a bare NULL is Nullable(Nothing). */
function typeName(type: SqlType): string {
  return type === "Nothing" ? "Nullable(Nothing)" : type;
}

function elements(v: unknown): unknown[] {
  const text = v instanceof ArrayBuffer ? new TextDecoder().decode(v) : typeof v === "string" ? v : "[]";
  const parsed: unknown = JSON.parse(text);
  return Array.isArray(parsed) ? parsed : [];
}

/** One value as ClickHouse writes it in JSON: 64-bit integers quoted, NaN and inf as null. */
export function jsonValue(type: SqlType, v: unknown): JsonValue {
  const element = elementType(type);
  if (element !== null) return elements(v).map((e) => jsonValue(element, e));
  if (type === "Nothing") return null;
  if (v === null || v === undefined) return type === "String" ? "" : null;
  if (v instanceof ArrayBuffer) return new TextDecoder().decode(v);
  return isScalar(type) ? scalar(type, v) : null;
}

function scalar(type: ScalarType, v: unknown): JsonValue {
  switch (type) {
    case "DateTime": return dateTime(Number(v), true);
    case "Date": return dateTime(Number(v), false);
    case "UInt64": case "Int64": return Math.trunc(Number(v)).toFixed(0);
    case "UInt32": case "UInt16": case "UInt8": return Math.trunc(Number(v));
    case "Float64": { const n = Number(v); return Number.isFinite(n) ? n : null; }
    default: return String(v);
  }
}

function escapeTsv(s: string): string {
  return s.replace(/\\/g, "\\\\").replace(/\t/g, "\\t").replace(/\n/g, "\\n");
}

function tsvValue(type: SqlType, v: unknown): string {
  const element = elementType(type);
  if (element !== null) {
    // Inside an array, strings and times are quoted with ' (and \ escapes), numbers are bare.
    const quoted = element === "String" || element === "DateTime" || element === "Date";
    const items = elements(v).map((e) => {
      const text = String(scalar(element, e));
      return quoted ? `'${text.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'` : text;
    });
    return escapeTsv(`[${items.join(",")}]`);
  }
  const j = jsonValue(type, v);
  return j === null ? "\\N" : escapeTsv(String(j));
}

function objects(rs: ResultSet): Record<string, JsonValue>[] {
  return rs.rows.map((row) => Object.fromEntries(rs.columns.map((c, i) => [c.name, jsonValue(c.type, row[i])])));
}

export function render(rs: ResultSet, format: Format): { body: string; contentType: string } {
  if (format === "JSONEachRow") {
    return { body: objects(rs).map((o) => `${JSON.stringify(o)}\n`).join(""), contentType: "application/x-ndjson; charset=utf-8" };
  }
  if (format === "TabSeparated") {
    const lines = rs.rows.map((row) => rs.columns.map((c, i) => tsvValue(c.type, row[i])).join("\t"));
    return { body: lines.map((l) => `${l}\n`).join(""), contentType: "text/tab-separated-values; charset=utf-8" };
  }
  const body = {
    meta: rs.columns.map((c) => ({ name: c.name, type: typeName(c.type) })),
    data: objects(rs),
    rows: rs.rows.length,
    rows_before_limit_at_least: rs.rowsBeforeLimit,
  };
  return { body: JSON.stringify(body), contentType: "application/json; charset=utf-8" };
}
