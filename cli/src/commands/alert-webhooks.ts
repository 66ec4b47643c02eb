/**
 * `tenantscope alert webhooks|webhook|webhook-set|webhook-delete`: webhooks in the plans
 * KV (`webhook:<id>`), audited without their secret. A secret never comes from the command
 * line (shell history, process lists) and is never printed: it is read from a file or an
 * environment variable, or generated into a new file only its owner can read.
 */
import { randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { urlShown, webhookView } from "@tenantscope/core/alert-text";
import { AlertStore } from "../alert-store.ts";
import { arg, flag, printJson, str, table, type Command, type Context, type Values } from "../command.ts";
import { CliError, UsageError } from "../errors.ts";
import { PlansStore } from "../kv.ts";
import { alertId } from "./alert-rules.ts";

const alerts = (ctx: Context): AlertStore => new AlertStore(new PlansStore(ctx.api, ctx.env), ctx.env);

/** A webhook as printed: URL without its query string, the secret only as "set". */
const shown = webhookView;

async function secretFrom(ctx: Context, values: Values): Promise<string | null> {
  const file = str(values, "secret-file");
  const envName = str(values, "secret-env");
  const generate = str(values, "generate-secret");
  if ([file, envName, generate].filter((v) => v !== undefined).length > 1) throw new UsageError("give one of --secret-file, --secret-env and --generate-secret");
  if (file !== undefined) {
    try {
      return (await readFile(file, "utf8")).replace(/\r?\n$/, "");
    } catch (error) {
      throw new CliError(`cannot read the secret file ${file}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (envName !== undefined) {
    const value = ctx.env[envName];
    if (value === undefined || value === "") throw new UsageError(`the environment variable ${envName} (--secret-env) is not set`);
    return value;
  }
  if (generate !== undefined) {
    const secret = randomBytes(32).toString("hex");
    try {
      // "wx": never overwrite a file that may hold another secret.
      await writeFile(generate, `${secret}\n`, { flag: "wx", mode: 0o600 });
    } catch (error) {
      throw new CliError(`cannot write the new secret to ${generate}: ${error instanceof Error ? error.message : String(error)}`);
    }
    return secret;
  }
  return null;
}

export const webhookCommands: Record<string, Command> = {
  webhooks: {
    usage: "alert webhooks",
    summary: "list webhooks (URLs without their query string; secrets never shown) and the rules that notify them",
    args: [0, 0],
    async run(ctx) {
      const store = alerts(ctx);
      const [hooks, rules] = await Promise.all([store.webhooks(), store.rules()]);
      const users = (id: string): string[] => rules.flatMap((r) => (r.ok && r.value.webhooks.includes(id) ? [r.id] : []));
      if (ctx.json) return printJson(ctx, hooks.map((h) => (h.ok ? { ...shown(h.value), rules: users(h.id) } : { id: h.id, invalid: h.problem })));
      if (hooks.length === 0) return ctx.out('no webhooks; add one with "tenantscope alert webhook-set <id> --url … --generate-secret <file>"');
      ctx.out(table(["WEBHOOK", "FORMAT", "URL", "SECRET", "RULES"], hooks.map((h) =>
        h.ok ? [h.id, h.value.format, urlShown(h.value.url), shown(h.value).secret, users(h.id).join(",") || "-"] : [h.id, "-", `invalid record, ignored: ${h.problem}`, "-", "-"])));
    },
  },
  webhook: {
    usage: "alert webhook <webhook>",
    summary: "show one webhook (without its secret)",
    args: [1, 1],
    async run(ctx, args) {
      const id = alertId(arg(args, 0), "webhook");
      const hook = await alerts(ctx).webhook(id);
      if (hook === null) throw new CliError(`there is no webhook "${id}"`);
      if (ctx.json) return printJson(ctx, shown(hook));
      const s = shown(hook);
      ctx.out(`${s.id}: ${s.format} to ${s.url}; secret ${s.secret}`);
    },
  },
  "webhook-set": {
    usage: "alert webhook-set <webhook> [--url U] [--format json|slack] [--secret-file F | --secret-env VAR | --generate-secret F]",
    summary: "create or change a webhook (validated, audited without its secret); a flag not given keeps the current value",
    details: [
      "",
      "The HMAC-SHA256 secret signs every delivery (x-tenantscope-signature: t=<unix>,v1=<hex of HMAC(secret, `${t}.${body}`)>).",
      "  --secret-file F      read it from a file (a trailing newline is dropped)",
      "  --secret-env VAR     read it from an environment variable",
      "  --generate-secret F  make a new 64-hex-digit secret and write it to the new file F (mode 600), for the receiver",
      "It is never taken from the command line and never printed.",
    ],
    options: { url: { type: "string" }, format: { type: "string" }, "secret-file": { type: "string" }, "secret-env": { type: "string" }, "generate-secret": { type: "string" } },
    args: [1, 1],
    async run(ctx, args, values) {
      const id = alertId(arg(args, 0), "webhook");
      const store = alerts(ctx);
      const current = await store.webhook(id);
      const url = str(values, "url") ?? current?.url;
      if (url === undefined) throw new UsageError(`webhook "${id}" is new: give --url`);
      const secret = (await secretFrom(ctx, values)) ?? current?.secret;
      if (secret === undefined) throw new UsageError(`webhook "${id}" is new: give its secret with --secret-file, --secret-env or --generate-secret`);
      const { webhook } = await store.setWebhook({ id, url, format: str(values, "format") ?? current?.format ?? "json", secret });
      if (ctx.json) return printJson(ctx, shown(webhook));
      const generated = str(values, "generate-secret");
      ctx.out(`webhook ${id} ${current === null ? "created" : "saved"}: ${webhook.format} to ${urlShown(webhook.url)}${generated === undefined ? "" : `; its new secret is in ${generated} (mode 600)`}`);
    },
  },
  "webhook-delete": {
    usage: "alert webhook-delete <webhook> [--force]",
    summary: "delete a webhook (audited); refused while rules notify it, unless --force",
    options: { force: { type: "boolean" } },
    args: [1, 1],
    async run(ctx, args, values) {
      const id = alertId(arg(args, 0), "webhook");
      const store = alerts(ctx);
      if (!(await store.exists("webhook", id))) {
        if (ctx.json) return printJson(ctx, { webhook: id, deleted: false });
        return ctx.out(`there is no webhook "${id}": nothing to delete`);
      }
      const users = (await store.rules()).flatMap((r) => (r.ok && r.value.webhooks.includes(id) ? [r.id] : []));
      if (users.length > 0 && !flag(values, "force")) {
        throw new CliError(`rules ${users.join(", ")} notify webhook "${id}": change them first, or pass --force (their notifications to it are then dropped)`);
      }
      await store.deleteWebhook(id);
      if (ctx.json) return printJson(ctx, { webhook: id, deleted: true });
      ctx.out(`webhook ${id} deleted`);
    },
  },
};
