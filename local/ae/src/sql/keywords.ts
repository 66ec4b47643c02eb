/** The AE dialect's word lists and operator spellings, as the parser reads them. */
import type { BinaryOp, Format } from "./ast.ts";

export const RESERVED = new Set(["SELECT", "FROM", "WHERE", "GROUP", "BY", "HAVING", "ORDER", "LIMIT", "OFFSET", "FORMAT", "AS",
  "AND", "OR", "NOT", "IN", "LIKE", "ILIKE", "BETWEEN", "IS", "NULL", "JOIN", "INNER", "LEFT", "RIGHT", "FULL", "CROSS",
  "ARRAY", "UNION", "INTERSECT", "EXCEPT", "ON", "USING", "ASC", "DESC", "INTERVAL", "DISTINCT", "SETTINGS", "WITH",
  "PREWHERE", "SAMPLE", "FINAL", "WINDOW", "QUALIFY"]);
export const JOINS = new Set(["JOIN", "INNER", "LEFT", "RIGHT", "FULL", "CROSS", "ARRAY", "ANY", "ALL", "SEMI", "ANTI", "ASOF", "GLOBAL"]);
export const UNITS = new Set<string>(["SECOND", "MINUTE", "HOUR", "DAY", "WEEK", "MONTH", "QUARTER", "YEAR"]);
export const FORMATS: Record<string, Format> = { JSON: "JSON", JSONEACHROW: "JSONEachRow", TABSEPARATED: "TabSeparated", TSV: "TabSeparated" };
export const COMPARISONS: Record<string, BinaryOp> = { "=": "=", "==": "=", "!=": "!=", "<>": "!=", "<": "<", ">": ">", "<=": "<=", ">=": ">=" };
