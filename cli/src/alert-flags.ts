/**
 * `alert set`'s flags → a rule for core's validator. A flag not given keeps the rule's
 * current value; a new `--when` starts a fresh condition (another kind's fields do not
 * carry over). The validator's messages name record fields; `flagHint` adds the flag.
 */
import { readFile } from "node:fs/promises";
import type { AlertRule } from "@tenantscope/core/alerts";
import { isRecord } from "@tenantscope/core/result";
import { flag, list, str, type Values } from "./command.ts";
import { CliError, UsageError } from "./errors.ts";

export const RULE_OPTIONS = {
  file: { type: "string" },
  name: { type: "string" },
  scope: { type: "string" },
  when: { type: "string" },
  window: { type: "string" },
  threshold: { type: "string" },
  min: { type: "string" },
  limit: { type: "string" },
  share: { type: "string" },
  metric: { type: "string" },
  amount: { type: "string" },
  period: { type: "string" },
  forecast: { type: "boolean" },
  "no-forecast": { type: "boolean" },
  stop: { type: "boolean" },
  "no-stop": { type: "boolean" },
  factor: { type: "string" },
  baseline: { type: "string" },
  cooldown: { type: "string" },
  webhook: { type: "string", multiple: true },
  "no-webhooks": { type: "boolean" },
  enable: { type: "boolean" },
  disable: { type: "boolean" },
  force: { type: "boolean" },
} as const;

/** Record field → the flag that sets it. */
const FLAG_OF: Record<string, string> = {
  name: "--name",
  "scope.kind": "--scope",
  "scope.value": "--scope",
  scope: "--scope",
  "condition.kind": "--when",
  windowMinutes: "--window",
  threshold: "--threshold",
  minInvocations: "--min",
  limit: "--limit",
  share: "--share",
  metric: "--metric",
  amount: "--amount",
  periodSeconds: "--period",
  onForecast: "--forecast",
  stop: "--stop",
  factor: "--factor",
  baseline: "--baseline",
  cooldownMinutes: "--cooldown",
  webhooks: "--webhook",
  enabled: "--enable/--disable",
};

/** "threshold must be …" → "threshold must be … (--threshold)"; an unknown condition field names the flag that does not apply. */
export function flagHint(message: string): string {
  const unknown = /^unknown condition field "([A-Za-z]+)"/.exec(message);
  if (unknown?.[1] !== undefined) {
    const f = FLAG_OF[unknown[1]];
    return f === undefined ? message : `${f} does not apply to this kind of rule (${message})`;
  }
  const field = /^([A-Za-z.]+) /.exec(message)?.[1];
  const f = field === undefined ? undefined : FLAG_OF[field];
  return f === undefined ? message : `${message} (${f})`;
}

function number(values: Values, name: string): number | undefined {
  const raw = str(values, name);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(n)) throw new UsageError(`--${name} must be a number, got "${raw}"`);
  return n;
}

export function parseScope(raw: string): unknown {
  if (raw === "all") return { kind: "all" };
  const colon = raw.indexOf(":");
  if (colon === -1) throw new UsageError(`--scope must be all, tenant:<name>, plan:<name> or customer:<id>, got "${raw}"`);
  return { kind: raw.slice(0, colon), value: raw.slice(colon + 1) };
}

function toggle(values: Values, on: string, off: string): boolean | undefined {
  if (flag(values, on) && flag(values, off)) throw new UsageError(`give --${on} or --${off}, not both`);
  return flag(values, on) ? true : flag(values, off) ? false : undefined;
}

/** The condition: the current one overlaid with the flags, or a fresh one for a new kind. */
function condition(values: Values, current: Record<string, unknown> | null): Record<string, unknown> | null {
  const kind = str(values, "when");
  if (kind === undefined && current === null) return null;
  const base: Record<string, unknown> = current !== null && (kind === undefined || kind === current.kind) ? { ...current } : { kind };
  const period = str(values, "period");
  const set: Record<string, unknown> = {
    windowMinutes: number(values, "window"),
    threshold: number(values, "threshold"),
    minInvocations: number(values, "min"),
    limit: str(values, "limit"),
    share: number(values, "share"),
    metric: str(values, "metric"),
    amount: number(values, "amount"),
    periodSeconds: period === undefined ? undefined : period === "month" ? null : Number(period),
    onForecast: toggle(values, "forecast", "no-forecast"),
    stop: toggle(values, "stop", "no-stop"),
    factor: number(values, "factor"),
    baseline: str(values, "baseline"),
  };
  if (period !== undefined && period !== "month" && !/^\d+$/.test(period)) throw new UsageError(`--period must be "month" or whole seconds, got "${period}"`);
  for (const [key, value] of Object.entries(set)) if (value !== undefined) base[key] = value;
  return base;
}

async function fileRule(path: string, id: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new CliError(`cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UsageError(`${path} is not JSON`);
  }
  if (!isRecord(value)) throw new UsageError(`${path} must hold one rule object`);
  if (value.id !== undefined && value.id !== id) throw new UsageError(`${path} is rule ${JSON.stringify(value.id)}, not "${id}"`);
  return { ...value, id };
}

/** What `alert set <id>` asks to save, before validation. */
export async function ruleInput(id: string, values: Values, current: AlertRule | null): Promise<Record<string, unknown>> {
  const file = str(values, "file");
  // --file replaces the whole rule; the flags still apply on top of it.
  const base: Record<string, unknown> = file !== undefined ? await fileRule(file, id) : current === null ? { id } : { ...current };
  const cond = condition(values, isRecord(base.condition) ? base.condition : null);
  if (cond !== null) base.condition = cond;
  if (base.condition === undefined) throw new UsageError(`rule "${id}" is new: say what it fires on with --when error_rate|limit_rate|cpu_p95|quota|change (or --file)`);
  const name = str(values, "name");
  if (name !== undefined) base.name = name;
  if (base.name === undefined) base.name = id;
  const scope = str(values, "scope");
  if (scope !== undefined) base.scope = parseScope(scope);
  if (base.scope === undefined) throw new UsageError(`rule "${id}" is new: give --scope all|tenant:<name>|plan:<name>|customer:<id>`);
  const cooldown = number(values, "cooldown");
  if (cooldown !== undefined) base.cooldownMinutes = cooldown;
  const hooks = list(values, "webhook");
  if (hooks.length > 0 && flag(values, "no-webhooks")) throw new UsageError("give --webhook or --no-webhooks, not both");
  if (hooks.length > 0) base.webhooks = hooks;
  if (flag(values, "no-webhooks")) base.webhooks = [];
  const enabled = toggle(values, "enable", "disable");
  if (enabled !== undefined) base.enabled = enabled;
  return base;
}
