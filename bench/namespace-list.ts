/**
 * The namespace REST API at platform scale: uploads N scripts (default 10,000) to
 * one namespace of the local stand-in, then times listing all of them through the
 * REST API, following cursors, unfiltered and with tag filters.
 *
 *   npx -y pnpm@12.21.0 exec node bench/namespace-list.ts [--scripts 10000] [--runs 5]
 *
 * One Miniflare instance (startStack, in memory, free ports), node's fetch over
 * 127.0.0.1. Not part of `pnpm bench`.
 */
import { parseArgs } from "node:util";
import { LocalApiClient } from "../local/dev/seed.ts";
import { startStack } from "../local/dev/stack.ts";
import { ms, summarize } from "./stats.ts";

const NAMESPACE = "bench-namespace";
const ACCOUNT_PATH = "/client/v4/accounts/local/workers/dispatch/namespaces";
const SOURCE = `export default { fetch() { return new Response("ok"); } }`;
const UPLOAD_CONCURRENCY = 16;

const nameOf = (i: number): string => `tenant-${String(i).padStart(5, "0")}`;
/** 10 customer groups; every other script is "prod"; every 100th is "beta". */
const tagsOf = (i: number): string[] => [`group-${i % 10}`, ...(i % 2 === 0 ? ["prod"] : []), ...(i % 100 === 0 ? ["beta"] : [])];

function positiveInt(raw: string | undefined, fallback: number, flag: string): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} must be a positive integer, got "${raw}"`);
  return n;
}

async function uploadAll(api: LocalApiClient, count: number): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      const form = new FormData();
      form.append("metadata", new Blob([JSON.stringify({ main_module: "index.js", compatibility_date: "2026-11-01", tags: tagsOf(i) })],
        { type: "application/json" }));
      form.append("index.js", new File([SOURCE], "index.js", { type: "application/javascript+module" }));
      await api.expect("PUT", `${ACCOUNT_PATH}/${NAMESPACE}/scripts/${nameOf(i)}`, { body: form });
    }
  };
  await Promise.all(Array.from({ length: UPLOAD_CONCURRENCY }, worker));
}

interface Listing {
  scripts: number;
  pages: number;
  ms: number;
}

async function listAll(api: LocalApiClient, query: string): Promise<Listing> {
  const started = performance.now();
  let cursor = "";
  let scripts = 0;
  let pages = 0;
  for (;;) {
    const answer = await api.expect("GET", `${ACCOUNT_PATH}/${NAMESPACE}/scripts?${query}${cursor === "" ? "" : `&cursor=${cursor}`}`);
    const body = JSON.parse(answer.text) as { result: unknown[]; result_info?: { cursor?: string } };
    scripts += body.result.length;
    pages++;
    cursor = body.result_info?.cursor ?? "";
    if (cursor === "") break;
  }
  return { scripts, pages, ms: performance.now() - started };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { scripts: { type: "string" }, runs: { type: "string" } } });
  const count = positiveInt(values.scripts, 10_000, "--scripts");
  const runs = positiveInt(values.runs, 5, "--runs");
  const stack = await startStack({ seed: false, port: 0, apiPort: 0, persistTo: false, log: () => {} });
  try {
    const api = new LocalApiClient(stack.urls.api, stack.apiToken);
    await api.expect("POST", ACCOUNT_PATH, { body: JSON.stringify({ name: NAMESPACE }), contentType: "application/json" });
    const uploadStarted = performance.now();
    await uploadAll(api, count);
    const uploadMs = performance.now() - uploadStarted;
    console.log(`uploaded ${count} scripts in ${(uploadMs / 1000).toFixed(1)} s (${UPLOAD_CONCURRENCY} concurrent PUTs, ${(count / (uploadMs / 1000)).toFixed(0)}/s)`);

    const cases: { label: string; query: string; expected: number }[] = [
      { label: "all, limit=1000", query: "limit=1000", expected: count },
      { label: "all, limit=100", query: "limit=100", expected: count },
      { label: "tags=prod:yes", query: "tags=prod:yes", expected: Math.ceil(count / 2) },
      { label: "tags=group-3:yes,prod:no", query: "tags=group-3:yes,prod:no", expected: Array.from({ length: count }, (_, i) => i).filter((i) => i % 10 === 3).length },
      { label: "tags=beta:yes (rare)", query: "tags=beta:yes", expected: Math.ceil(count / 100) },
    ];
    await listAll(api, "limit=1000"); // warm-up
    console.log("\nlisting through the REST API, following cursors (ms per full listing)");
    console.log(["case", "scripts", "pages", "p50 ms", "min ms", "max ms"].join("\t"));
    for (const c of cases) {
      const samples: number[] = [];
      let last: Listing | null = null;
      for (let r = 0; r < runs; r++) {
        last = await listAll(api, c.query);
        if (last.scripts !== c.expected) throw new Error(`${c.label}: listed ${last.scripts}, expected ${c.expected}`);
        samples.push(last.ms);
      }
      const s = summarize(samples);
      console.log([c.label, String(last?.scripts ?? 0), String(last?.pages ?? 0), ms(s.p50), ms(Math.min(...samples)), ms(Math.max(...samples))].join("\t"));
    }
  } finally {
    await stack.dispose();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack ?? error.message : String(error));
  process.exitCode = 1;
});
