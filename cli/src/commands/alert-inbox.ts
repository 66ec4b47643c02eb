/**
 * `tenantscope alert inbox`: what the local webhook inbox received (the stand-in's
 * /_local/inbox, local/src/api/inbox.ts), so the alert loop can be watched offline.
 * Local only: on Cloudflare, deliveries go to each webhook's own URL.
 */
import { isRecord } from "@tenantscope/core/result";
import type { ApiClient } from "../api.ts";
import { flag, int, printJson, str, table, type Command, type Context } from "../command.ts";
import { CliError, UsageError } from "../errors.ts";
import type { InboxEntry } from "@tenantscope/core/alert-state";

export type { InboxEntry } from "@tenantscope/core/alert-state";

const POLL_MS = 1_000;

function isEntry(v: unknown): v is InboxEntry {
  return isRecord(v) && typeof v.seq === "number" && typeof v.webhook === "string" && typeof v.verified === "boolean" && typeof v.body === "string";
}

async function fetchEntries(api: ApiClient, query: { limit: number; webhook?: string; after?: number }): Promise<InboxEntry[]> {
  const answer = await api.call<unknown>("GET", "/_local/inbox", { query: { limit: query.limit, webhook: query.webhook, after: query.after } });
  if (!Array.isArray(answer.result) || !answer.result.every(isEntry)) throw new CliError("the inbox answered in an unexpected shape");
  return answer.result;
}

/** The value and threshold of a JSON delivery, shortly. */
function valueOf(e: InboxEntry): string {
  try {
    const v: unknown = JSON.parse(e.body);
    if (isRecord(v) && typeof v.value === "number" && typeof v.threshold === "number") return `${+v.value.toPrecision(4)} / ${+v.threshold.toPrecision(4)}`;
  } catch {
    // A Slack body, or not JSON: nothing to show.
  }
  return "";
}

function rows(entries: InboxEntry[], withBody: boolean): string[][] {
  return entries.map((e) => [
    e.receivedAt,
    e.webhook,
    e.event ?? "-",
    e.rule ?? "-",
    e.tenant ?? "-",
    valueOf(e) || "-",
    e.verified ? "valid" : `INVALID (${e.reason?.split(":")[0] ?? "?"})`,
    ...(withBody ? [e.body] : [e.delivery ?? "-"]),
  ]);
}

function print(ctx: Context, entries: InboxEntry[], withBody: boolean, header: boolean): void {
  if (ctx.json) {
    for (const e of entries) ctx.out(JSON.stringify(e));
    return;
  }
  const headers = ["RECEIVED (UTC)", "WEBHOOK", "EVENT", "RULE", "TENANT", "VALUE / THRESHOLD", "SIGNATURE", withBody ? "BODY" : "DELIVERY"];
  const text = table(headers, rows(entries, withBody));
  ctx.out(header ? text : text.split("\n").slice(1).join("\n"));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const inboxCommand: Command = {
  usage: "alert inbox [--limit N] [--webhook ID] [--body] [--follow | --wait SECONDS]",
  summary: "deliveries the local webhook inbox received (pnpm dev), newest first, with their signature check",
  details: [
    "",
    "--follow prints new deliveries as they arrive until Ctrl-C; --wait N waits up to N",
    "seconds for the next one, prints it and exits (1 if none came). With --json: one",
    "JSON object a line. The inbox is part of the local stack only.",
  ],
  options: { limit: { type: "string" }, webhook: { type: "string" }, body: { type: "boolean" }, follow: { type: "boolean" }, wait: { type: "string" } },
  args: [0, 0],
  async run(ctx, _args, values) {
    if (ctx.api.target.kind !== "local") throw new CliError("the webhook inbox is part of the local stack (pnpm dev); on Cloudflare, deliveries go to each webhook's URL");
    const follow = flag(values, "follow");
    const waitSeconds = int(values, "wait");
    if (follow && waitSeconds !== undefined) throw new UsageError("--follow and --wait do not go together");
    const webhook = str(values, "webhook");
    const withBody = flag(values, "body");
    const base = { limit: int(values, "limit") ?? 20, ...(webhook === undefined ? {} : { webhook }) };
    if (!follow && waitSeconds === undefined) {
      const entries = await fetchEntries(ctx.api, base);
      if (ctx.json) return printJson(ctx, entries);
      if (entries.length === 0) return ctx.out("the inbox is empty: nothing was delivered yet (webhook local-inbox is seeded by pnpm dev)");
      return print(ctx, entries, withBody, true);
    }
    // Only what arrives from now on.
    let after = (await fetchEntries(ctx.api, { ...base, limit: 1 }))[0]?.seq ?? 0;
    const deadline = waitSeconds === undefined ? Infinity : Date.now() + waitSeconds * 1000;
    let header = true;
    while (Date.now() < deadline) {
      await sleep(Math.max(0, Math.min(POLL_MS, deadline - Date.now())));
      const fresh = (await fetchEntries(ctx.api, { ...base, limit: 500, after })).reverse();
      if (fresh.length === 0) continue;
      if (!follow) {
        const [first] = fresh;
        if (first !== undefined) print(ctx, [first], withBody, true);
        return;
      }
      print(ctx, fresh, withBody, header);
      header = false;
      after = fresh.at(-1)?.seq ?? after;
    }
    throw new CliError(`no delivery arrived within ${waitSeconds ?? 0} s`);
  },
};
