/**
 * The AE dialect's function table: every family (functions-*.ts) registered in one place,
 * names matched case-insensitively. A name that is not here is refused by name.
 */
import type { Expr } from "./ast.ts";
import { SqlError } from "./errors.ts";
import type { FunctionContext, Impl } from "./function-kit.ts";
import { AGGREGATE_FUNCTIONS, DISTINCT_OK, PARAMETRIC } from "./functions-agg.ts";
import { CONDITIONAL_FUNCTIONS } from "./functions-cond.ts";
import { DATE_FUNCTIONS } from "./functions-date.ts";
import { MATH_FUNCTIONS } from "./functions-math.ts";
import { STRING_FUNCTIONS } from "./functions-string.ts";
import type { Fragment } from "./types.ts";

export type { FunctionContext } from "./function-kit.ts";

const FUNCTIONS: Record<string, Impl> = {
  ...DATE_FUNCTIONS, ...MATH_FUNCTIONS, ...STRING_FUNCTIONS, ...CONDITIONAL_FUNCTIONS, ...AGGREGATE_FUNCTIONS,
};

export function isAggregate(name: string): boolean {
  return Object.hasOwn(AGGREGATE_FUNCTIONS, name.toLowerCase());
}

export function callFunction(ctx: FunctionContext, name: string, args: Expr[], params: Expr[] | null, distinct = false): Fragment {
  const key = name.toLowerCase();
  const impl = Object.hasOwn(FUNCTIONS, key) ? FUNCTIONS[key] : undefined;
  if (impl === undefined) throw new SqlError(`Unknown function ${name}: it is not in the local AE's supported subset`);
  if (params !== null && !PARAMETRIC.has(key)) throw new SqlError(`Function ${name} takes no parameters`);
  if (distinct && !DISTINCT_OK.has(key)) throw new SqlError(`DISTINCT inside ${name}() is not supported`);
  return impl(ctx, args, params, distinct);
}
