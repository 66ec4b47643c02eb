/**
 * `tenantscope <group> <command> [args] [options]`: parses the command line,
 * resolves the target (local stand-in or Cloudflare), runs one command, and
 * turns failures into a message and an exit code (1: the operation failed,
 * 2: the command line was wrong).
 */
import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import { ApiClient, type FetchLike, type RetryPolicy } from "./api.ts";
import type { Command, Group, Output, Values } from "./command.ts";
import { alertGroup } from "./commands/alert.ts";
import { auditGroup } from "./commands/audit.ts";
import { namespaceGroup } from "./commands/namespace.ts";
import { planGroup } from "./commands/plan.ts";
import { scriptGroup } from "./commands/script.ts";
import { tagsGroup } from "./commands/tags.ts";
import { tenantGroup } from "./commands/tenant.ts";
import { usageGroup } from "./commands/usage.ts";
import { ApiFailure, CliError, UsageError } from "./errors.ts";
import { LOCAL_API_URL, resolveTarget, type Env } from "./target.ts";

export const groups: Record<string, Group> = {
  namespace: namespaceGroup,
  script: scriptGroup,
  tags: tagsGroup,
  plan: planGroup,
  tenant: tenantGroup,
  usage: usageGroup,
  audit: auditGroup,
  alert: alertGroup,
};

const GLOBAL_OPTIONS: ParseArgsOptionsConfig = {
  json: { type: "boolean" },
  namespace: { type: "string", short: "n" },
  "api-url": { type: "string" },
  local: { type: "boolean" },
  help: { type: "boolean", short: "h" },
};

const GLOBAL_HELP = [
  "Options for every command:",
  "  -n, --namespace <name>  dispatch namespace (default $TENANTSCOPE_NAMESPACE or tenantscope-tenants)",
  "  --json                  print JSON instead of tables",
  `  --api-url <url>         local stand-in URL (default $TENANTSCOPE_API_URL or ${LOCAL_API_URL})`,
  "  --local                 use the local stand-in even if CLOUDFLARE_* is set",
  "  -h, --help              help for a command",
  "",
  "Target: the local stand-in unless CLOUDFLARE_ACCOUNT_ID and CLOUDFLARE_API_TOKEN are set;",
  "plan, tenant and alert commands on Cloudflare also need TENANTSCOPE_PLANS_KV_ID.",
];

export interface Io extends Output {
  fetch: FetchLike;
  env: Env;
  sleep?: (ms: number) => Promise<void>;
  retry?: RetryPolicy;
}

function mainHelp(): string {
  const lines = ["Usage: tenantscope <group> <command> [arguments] [options]", ""];
  for (const [name, group] of Object.entries(groups)) {
    lines.push(`${name}: ${group.summary}`);
    for (const command of Object.values(group.commands)) lines.push(`  tenantscope ${command.usage}`);
  }
  return [...lines, "", ...GLOBAL_HELP].join("\n");
}

function groupHelp(name: string, group: Group): string {
  const lines = [`tenantscope ${name}: ${group.summary}`, ""];
  for (const command of Object.values(group.commands)) lines.push(`  tenantscope ${command.usage}`, `      ${command.summary}`);
  return [...lines, "", ...GLOBAL_HELP].join("\n");
}

function commandHelp(command: Command): string {
  const lines = [`Usage: tenantscope ${command.usage}`, "", command.summary, ...(command.details ?? [])];
  const options = Object.entries(command.options ?? {});
  if (options.length > 0) {
    lines.push("", "Options:");
    for (const [name, o] of options) lines.push(`  --${name}${o.type === "string" ? " <value>" : ""}${o.multiple === true ? " (repeatable)" : ""}`);
  }
  return [...lines, "", ...GLOBAL_HELP].join("\n");
}

function parse(command: Command, argv: string[]): { args: string[]; values: Values } {
  try {
    const parsed = parseArgs({ args: argv, options: { ...GLOBAL_OPTIONS, ...command.options }, allowPositionals: true, strict: true });
    return { args: parsed.positionals, values: parsed.values };
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

async function dispatch(argv: string[], io: Io): Promise<void> {
  const [groupName, commandName, ...rest] = argv;
  if (groupName === undefined || groupName === "--help" || groupName === "-h" || groupName === "help") return io.out(mainHelp());
  const group = groups[groupName];
  if (group === undefined) throw new UsageError(`unknown command "${groupName}"; see tenantscope --help`);
  if (commandName === undefined || commandName === "--help" || commandName === "-h") return io.out(groupHelp(groupName, group));
  const command = group.commands[commandName];
  if (command === undefined) throw new UsageError(`unknown command "${groupName} ${commandName}"; see tenantscope ${groupName} --help`);
  const { args, values } = parse(command, rest);
  if (values.help === true) return io.out(commandHelp(command));
  const [min, max] = command.args;
  if (args.length < min || args.length > max) throw new UsageError(`usage: tenantscope ${command.usage}`);
  const target = resolveTarget(io.env, {
    ...(typeof values["api-url"] === "string" ? { apiUrl: values["api-url"] } : {}),
    ...(typeof values.namespace === "string" ? { namespace: values.namespace } : {}),
    local: values.local === true,
  });
  const api = new ApiClient(target, {
    fetch: io.fetch,
    sleep: io.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    ...(io.retry === undefined ? {} : { retry: io.retry }),
    onRetry: (what, attempt, waitMs, reason) => io.err(`${what}: ${reason}, retrying in ${(waitMs / 1000).toFixed(1)} s (attempt ${attempt + 1})`),
  });
  await command.run({ api, namespace: target.namespace, json: values.json === true, env: io.env, out: io.out, err: io.err }, args, values);
}

/** Runs one command line; resolves to the exit code. */
export async function run(argv: string[], io: Io): Promise<number> {
  try {
    await dispatch(argv, io);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`error: ${error.message}`);
      return 2;
    }
    if (error instanceof ApiFailure || error instanceof CliError) {
      io.err(`error: ${error.message}`);
      return 1;
    }
    throw error;
  }
}
