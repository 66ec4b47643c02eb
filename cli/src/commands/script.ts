/** `tenantscope script upload|list|get|delete`. */
import { customerTag, isCustomerId } from "@tenantscope/core/customers";
import { isTenantName } from "@tenantscope/core/names";
import { paths } from "../api.ts";
import { assignPlan, uploadMany, uploadOne } from "../bulk.ts";
import { arg, flag, int, list, printJson, str, table, type Context, type Group, type Values } from "../command.ts";
import { UsageError } from "../errors.ts";
import { PlansStore } from "../kv.ts";
import { TAIL_WORKER, customerPrefix, type Env } from "../target.ts";
import { COMPATIBILITY_DATE, findTenants, parseBindings, parseSamplingRate, validateTags, type UploadSettings } from "../upload.ts";

interface ScriptResult {
  id: string;
  etag: string;
  created_on: string;
  modified_on: string;
  tags?: string[] | null;
  tail_consumers?: { service: string }[] | null;
  bindings?: { name: string; type: string }[];
}

function tenantName(raw: string): string {
  if (!isTenantName(raw)) throw new UsageError(`invalid script name "${raw}": lower-case letters, digits and dashes, 1-63 characters`);
  return raw;
}

/** --tag values plus the customer tag of --customer; a --tag naming another customer is a contradiction. */
function tagsOf(values: Values, env: Env): string[] {
  const tags = list(values, "tag");
  const customer = str(values, "customer");
  if (customer === undefined) return validateTags(tags);
  if (!isCustomerId(customer)) throw new UsageError(`invalid --customer "${customer}": letters, digits, '.', '_' and '-', 1-64 characters, starting with a letter or digit`);
  const prefix = customerPrefix(env);
  const own = customerTag(prefix, customer);
  const other = tags.find((t) => t.startsWith(prefix) && t !== own);
  if (other !== undefined) throw new UsageError(`--tag ${other} names another customer than --customer ${customer}`);
  return validateTags([...tags, own]);
}

function settingsOf(values: Values, env: Env): UploadSettings {
  return {
    tags: tagsOf(values, env),
    bindings: [...parseBindings(list(values, "binding"), "plain_text"), ...parseBindings(list(values, "secret"), "secret_text")],
    tailConsumers: flag(values, "no-tail") ? [] : [{ service: str(values, "tail") ?? TAIL_WORKER }],
    compatibilityDate: str(values, "compatibility-date") ?? COMPATIBILITY_DATE,
    observability: flag(values, "observability") || str(values, "logs-sampling") !== undefined
      ? { enabled: true, head_sampling_rate: parseSamplingRate(str(values, "logs-sampling")) }
      : null,
  };
}

async function upload(ctx: Context, args: string[], values: Values): Promise<void> {
  const settings = settingsOf(values, ctx.env);
  const plan = str(values, "plan") ?? null;
  const plans = plan === null ? null : new PlansStore(ctx.api, ctx.env);
  if (plan !== null) await plans?.requirePlan(plan);
  const path = args.length === 1 ? arg(args, 0) : arg(args, 1);
  const tenants = await findTenants(path);
  if (tenants !== null) {
    if (args.length === 2) {
      throw new UsageError(`${path} is a directory of tenants; a bulk upload takes only the directory: tenantscope script upload ${path}`);
    }
    const results = await uploadMany(ctx.api, ctx, tenants, {
      namespace: ctx.namespace, settings, plan, plans, concurrency: int(values, "concurrency") ?? 4,
    });
    if (ctx.json) return printJson(ctx, results);
    ctx.out(`uploaded ${results.length} scripts to ${ctx.namespace}${plan === null ? "" : ` on plan ${plan}`}`);
    return;
  }
  if (args.length === 1) throw new UsageError(`${path} is one Worker: give its name too: tenantscope script upload <name> ${path}`);
  const name = tenantName(arg(args, 0));
  const result = await uploadOne(ctx.api, ctx.namespace, name, path, settings);
  if (plan !== null && plans !== null) await assignPlan(plans, name, plan);
  if (ctx.json) return printJson(ctx, result);
  ctx.out(`${result.status === 201 ? "created" : "updated"} ${name} in ${ctx.namespace} (etag ${result.etag.slice(0, 12)})${plan === null ? "" : `, plan ${plan}`}`);
}

function scriptRows(scripts: ScriptResult[]): string[][] {
  return scripts.map((s) => [s.id, (s.tags ?? []).join(","), s.modified_on, s.etag.slice(0, 12)]);
}

async function listScripts(ctx: Context, values: Values): Promise<void> {
  const all = flag(values, "all");
  const tags = str(values, "tags");
  const limit = int(values, "limit");
  let cursor = str(values, "cursor");
  const scripts: ScriptResult[] = [];
  for (;;) {
    const page = await ctx.api.call<ScriptResult[]>("GET", paths.scripts(ctx.namespace), { query: { tags, limit, cursor } });
    scripts.push(...page.result);
    cursor = page.result_info?.cursor;
    if (cursor === "") cursor = undefined;
    if (!all || cursor === undefined) break;
  }
  if (ctx.json) printJson(ctx, scripts);
  else ctx.out(table(["NAME", "TAGS", "MODIFIED", "ETAG"], scriptRows(scripts)));
  if (cursor !== undefined) ctx.err(`more scripts follow: add --all, or --cursor ${cursor}`);
}

export const scriptGroup: Group = {
  summary: "user Workers (scripts) in the namespace",
  commands: {
    upload: {
      usage: "script upload <name> <file-or-dir> | script upload <dir-of-tenants>",
      summary: "upload one Worker, or every tenant in a directory (bulk, with progress and retries)",
      details: [
        "One Worker: a .js/.mjs file, or a directory with index.js (its other files become modules).",
        "A directory of tenants: each subdirectory with index.js, and each .js file, is a tenant named after it.",
        "Service-worker syntax (addEventListener, no exports) is uploaded with body_part; modules with main_module.",
        `Every upload gets tail_consumers [{"service": "${TAIL_WORKER}"}] unless --no-tail.`,
        "--observability turns on Workers Logs for the Worker (metadata observability), so the dashboard can show its full logs;",
        "--logs-sampling R (0 to 1) keeps that fraction of invocations' logs.",
        "--customer ID tags the script customer:ID (prefix $TENANTSCOPE_CUSTOMER_TAG_PREFIX, default customer:): the customer",
        "that owns the tenant, for billing; without it the tenant is its own customer.",
      ],
      options: {
        tag: { type: "string", multiple: true },
        plan: { type: "string" },
        customer: { type: "string" },
        binding: { type: "string", multiple: true },
        secret: { type: "string", multiple: true },
        "compatibility-date": { type: "string" },
        tail: { type: "string" },
        "no-tail": { type: "boolean" },
        observability: { type: "boolean" },
        "logs-sampling": { type: "string" },
        concurrency: { type: "string" },
      },
      args: [1, 2],
      run: upload,
    },
    list: {
      usage: "script list [--tags a:yes,b:no] [--all] [--limit N] [--cursor C]",
      summary: "list scripts (one page, or every page with --all)",
      options: { tags: { type: "string" }, all: { type: "boolean" }, limit: { type: "string" }, cursor: { type: "string" } },
      args: [0, 0],
      run: (ctx, _args, values) => listScripts(ctx, values),
    },
    get: {
      usage: "script get <name>",
      summary: "show one script's details (binding values are never returned)",
      args: [1, 1],
      async run(ctx, args) {
        const res = await ctx.api.call<{ script: ScriptResult }>("GET", paths.script(ctx.namespace, tenantName(arg(args, 0))));
        if (ctx.json) return printJson(ctx, res.result);
        const s = res.result.script;
        ctx.out(table(["FIELD", "VALUE"], [
          ["name", s.id], ["etag", s.etag], ["created", s.created_on], ["modified", s.modified_on],
          ["tags", (s.tags ?? []).join(", ")],
          ["bindings", (s.bindings ?? []).map((b) => `${b.name} (${b.type})`).join(", ")],
          ["tail consumers", (s.tail_consumers ?? []).map((t) => t.service).join(", ")],
        ]));
      },
    },
    delete: {
      usage: "script delete <name> | script delete --tags a:yes,b:no --yes",
      summary: "delete one script, or every script matching a tag filter",
      options: { tags: { type: "string" }, yes: { type: "boolean" } },
      args: [0, 1],
      async run(ctx, args, values) {
        const tags = str(values, "tags");
        if (args.length === 1 && tags === undefined) {
          const name = tenantName(arg(args, 0));
          await ctx.api.call("DELETE", paths.script(ctx.namespace, name));
          return ctx.json ? printJson(ctx, { deleted: [name] }) : ctx.out(`deleted ${name} from ${ctx.namespace}`);
        }
        if (args.length === 1 || tags === undefined) throw new UsageError("give either a script name or --tags, not both");
        if (!flag(values, "yes")) throw new UsageError("deleting by tag filter removes many scripts at once: add --yes to confirm");
        await ctx.api.call("DELETE", paths.scripts(ctx.namespace), { query: { tags } });
        return ctx.json ? printJson(ctx, { deleted: { tags } }) : ctx.out(`deleted the scripts matching ${tags} from ${ctx.namespace}`);
      },
    },
  },
};
