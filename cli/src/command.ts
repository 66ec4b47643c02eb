/** The shape every command has, and the few helpers they share. */
import type { ParseArgsOptionsConfig } from "node:util";
import type { ApiClient } from "./api.ts";
import { UsageError } from "./errors.ts";
import type { Env } from "./target.ts";

export interface Output {
  out: (line: string) => void;
  err: (line: string) => void;
}

export interface Context extends Output {
  api: ApiClient;
  namespace: string;
  json: boolean;
  env: Env;
}

export type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

export interface Command {
  usage: string;
  summary: string;
  /** Extra lines for --help. */
  details?: string[];
  options?: ParseArgsOptionsConfig;
  /** Positionals: [min, max] (max = Infinity for lists). */
  args: [number, number];
  run(ctx: Context, args: string[], values: Values): Promise<void>;
}

export interface Group {
  summary: string;
  commands: Record<string, Command>;
}

export function str(values: Values, name: string): string | undefined {
  const v = values[name];
  return typeof v === "string" ? v : undefined;
}

export function list(values: Values, name: string): string[] {
  const v = values[name];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === "string");
  return typeof v === "string" ? [v] : [];
}

export function flag(values: Values, name: string): boolean {
  return values[name] === true;
}

export function int(values: Values, name: string, min = 1): number | undefined {
  const raw = str(values, name);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer ≥ ${min}, got "${raw}"`);
  return n;
}

export function arg(args: string[], i: number): string {
  const v = args[i];
  if (v === undefined) throw new UsageError("missing argument");
  return v;
}

/** A plain text table; the last column is not padded. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join("  ").trimEnd();
  return [line(headers), ...rows.map(line)].join("\n");
}

export function printJson(ctx: Output, value: unknown): void {
  ctx.out(JSON.stringify(value, null, 2));
}
