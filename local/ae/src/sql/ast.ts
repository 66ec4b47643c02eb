/** The AST of the AE dialect subset that the parser accepts. */
export type Expr =
  | { kind: "num"; text: string; value: number }
  | { kind: "str"; value: string }
  | { kind: "null" }
  | { kind: "ident"; name: string }
  | { kind: "star" }
  | { kind: "call"; name: string; params: Expr[] | null; args: Expr[]; distinct?: boolean }
  | { kind: "interval"; value: Expr; unit: IntervalUnit }
  | { kind: "unary"; op: "NOT" | "-"; expr: Expr }
  | { kind: "binary"; op: BinaryOp; left: Expr; right: Expr }
  | { kind: "in"; expr: Expr; list: Expr[]; negated: boolean }
  | { kind: "like"; expr: Expr; pattern: Expr; negated: boolean; insensitive: boolean }
  | { kind: "between"; expr: Expr; low: Expr; high: Expr; negated: boolean }
  | { kind: "isnull"; expr: Expr; negated: boolean };

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
  table: string;
  where: Expr | null;
  groupBy: Expr[];
  having: Expr | null;
  orderBy: OrderItem[];
  limit: number | null;
  offset: number | null;
  format: Format;
}

export interface ShowStatement {
  kind: "show";
  what: "TABLES" | "TIMEZONES" | "TIMEZONE";
  format: Format;
}

export type Statement = SelectStatement | ShowStatement;
