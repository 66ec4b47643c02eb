/**
 * What a SELECT reads: a dataset's stored points, the rows of a FROM (subquery), or,
 * without FROM, the one row of ClickHouse's system.one (column `dummy`).
 */
import { SqlError } from "./errors.ts";
import { TABLE } from "./table.ts";
import type { Fragment, SqlType } from "./types.ts";
import { BLOB_COLUMNS, DOUBLE_COLUMNS } from "../point.ts";

/** SELECT * lists a dataset's columns in this order. */
export const ALL_COLUMNS = ["dataset", "timestamp", "index1", "_sample_interval", ...BLOB_COLUMNS, ...DOUBLE_COLUMNS];

export interface Column {
  name: string;
  type: SqlType;
}

export interface Source {
  /** The SQLite table that holds the rows: the points table, or a common table expression. */
  table: string;
  /** The names `qualifier.column` may use: the table's name or the alias. */
  names: string[];
  /** The columns SELECT * lists. */
  star: string[];
  /** The dataset's own points: `timestamp` is stored milliseconds, indexed. */
  stored: boolean;
  /** Column `name` read through the table alias `alias`; `string` binds a constant string. */
  column(name: string, alias: string, string: (value: string) => string): Fragment;
  /** ORDER BY terms for "first row" (first_value…): time, then insertion order; or the subquery's order. */
  rowOrder(alias: string, desc: boolean): string;
}

export function datasetSource(dataset: string, alias: string | null): Source {
  return {
    table: TABLE,
    names: alias === null ? [dataset] : [alias, dataset],
    star: ALL_COLUMNS,
    stored: true,
    column(name, t, string) {
      if (name === "timestamp") return { sql: `(${t}.timestamp / 1000)`, type: "DateTime" };
      if (name === "_sample_interval") return { sql: `${t}._sample_interval`, type: "UInt32" };
      if (name === "index1") return { sql: `${t}.index1`, type: "String" };
      if (name === "dataset") return { sql: string(dataset), type: "String" };
      // AE reads unset blobs as '' and unset doubles as 0.
      if (BLOB_COLUMNS.includes(name)) return { sql: `IFNULL(${t}.${name}, '')`, type: "String" };
      if (DOUBLE_COLUMNS.includes(name)) return { sql: `IFNULL(${t}.${name}, 0.0)`, type: "Float64" };
      throw new SqlError(`Unknown column '${name}': the columns are ${ALL_COLUMNS.slice(0, 4).join(", ")}, blob1..blob20, double1..double20`);
    },
    rowOrder: (t, desc) => (desc ? `${t}.timestamp DESC, ${t}.seq DESC` : `${t}.timestamp, ${t}.seq`),
  };
}

/**
 * Rows computed by an inner SELECT and kept in a common table expression `table`: column
 * i is `c<i>`, and `_rn` numbers the rows in the order the inner SELECT gave them.
 */
export function derivedSource(table: string, columns: Column[], alias: string | null, what: string): Source {
  return {
    table,
    names: alias === null ? [] : [alias],
    star: columns.map((c) => c.name),
    stored: false,
    column(name, t) {
      const i = columns.findIndex((c) => c.name === name);
      const c = columns[i];
      if (c === undefined) throw new SqlError(`Unknown column '${name}': ${what} ${columns.map((x) => x.name).join(", ")}`);
      return { sql: `${t}.c${i}`, type: c.type };
    },
    rowOrder: (t, desc) => `${t}._rn${desc ? " DESC" : ""}`,
  };
}
