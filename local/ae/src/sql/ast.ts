/** The AST of the AE dialect subset that the parser accepts. */
import type { Fragment } from "./types.ts";

export type Expr =
  | { kind: "num"; text: string; value: number }
  | { kind: "str"; value: string }
  | { kind: "null" }
  /** `table` is the qualifier of `alias.column`, as written. */
  | { kind: "ident"; name: string; table?: string }
  | { kind: "star" }
  | { kind: "call"; name: string; params: Expr[] | null; args: Expr[]; distinct?: boolean }
  | { kind: "interval"; value: Expr; unit: IntervalUnit }
  | { kind: "unary"; op: "NOT" | "-"; expr: Expr }
  | { kind: "binary"; op: BinaryOp; left: Expr; right: Expr }
  | { kind: "in"; expr: Expr; list: Expr[]; negated: boolean }
  | { kind: "like"; expr: Expr; pattern: Expr; negated: boolean; insensitive: boolean }
  | { kind: "between"; expr: Expr; low: Expr; high: Expr; negated: boolean }
  | { kind: "isnull"; expr: Expr; negated: boolean }
  /** Never parsed: an argument the translator has already translated (see hoist.ts). */
  | { kind: "bound"; fragment: Fragment };

export type BinaryOp = "AND" | "OR" | "=" | "!=" | "<" | ">" | "<=" | ">=" | "+" | "-" | "*" | "/" | "%" | "||";

export type IntervalUnit = "SECOND" | "MINUTE" | "HOUR" | "DAY" | "WEEK" | "MONTH" | "QUARTER" | "YEAR";

export type Format = "JSON" | "JSONEachRow" | "TabSeparated";

export interface SelectItem {
  expr: Expr;
  alias: string | null;
  /** The item's text as written, which names the column when there is no alias. */
  text: string;
}

export interface OrderItem {
  expr: Expr;
  desc: boolean;
}

export interface SelectStatement {
  kind: "select";
  distinct: boolean;
  items: SelectItem[];
  /** null: no FROM, one row with the column `dummy`, as ClickHouse's system.one. */
  from: From | null;
  where: Expr | null;
  groupBy: Expr[];
  having: Expr | null;
  orderBy: OrderItem[];
  limit: number | null;
  offset: number | null;
  format: Format;
}

export type From =
  | { kind: "table"; name: string; alias: string | null }
  | { kind: "subquery"; select: SelectStatement; alias: string | null };

export interface ShowStatement {
  kind: "show";
  what: "TABLES" | "TIMEZONES" | "TIMEZONE";
  format: Format;
}

export type Statement = SelectStatement | ShowStatement;
