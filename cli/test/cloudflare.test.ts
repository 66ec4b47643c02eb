/**
 * The requests the CLI sends to Cloudflare (URL, method, headers, bodies and
 * multipart metadata), recorded through an injected fetch and compared with the
 * committed fixture test/fixtures/cloudflare-requests.json. No network: the fake
 * answers like the API. Regenerate after an intended change with
 * UPDATE_FIXTURES=1 and review the diff.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import type { FetchLike } from "../src/api.ts";
import { cli } from "./helpers.ts";

const FIXTURE = resolve(import.meta.dirname, "fixtures/cloudflare-requests.json");
/** Our own sources, so that edits to examples/ do not change the recorded sizes. */
const TENANTS = resolve(import.meta.dirname, "fixtures/tenants");
const ENV = { CLOUDFLARE_ACCOUNT_ID: "0123abcd", CLOUDFLARE_API_TOKEN: "cf-token", TENANTSCOPE_PLANS_KV_ID: "kv-plans-id", TENANTSCOPE_ACTOR: "fixture" };

/** Audit entry keys and times differ on every run (core/src/audit.ts): recorded as placeholders. */
function stable(recorded: Recorded): Recorded {
  const text = JSON.stringify(recorded)
    .replace(/audit(%3A|:)\d{13}(%3A|:)[0-9a-f]{8}/g, "audit$1<id>$2<random>")
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g, "<time>");
  return JSON.parse(text) as Recorded;
}

interface Recorded {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: unknown;
}

const envelope = (result: unknown, resultInfo?: unknown, status = 200): Response =>
  new Response(JSON.stringify({ success: true, errors: [], messages: [], result, ...(resultInfo === undefined ? {} : { result_info: resultInfo }) }),
    { status, headers: { "content-type": "application/json" } });
const failure = (status: number, code: number, message: string): Response =>
  new Response(JSON.stringify({ success: false, errors: [{ code, message }], messages: [], result: null }), { status });

/** Multipart bodies become their metadata (parsed) and each part's name, file name, type and size. */
async function normalise(request: Request): Promise<Recorded> {
  const type = request.headers.get("content-type") ?? "";
  const headers: Record<string, string> = { authorization: request.headers.get("authorization") ?? "" };
  if (type !== "") headers["content-type"] = type.startsWith("multipart/form-data") ? "multipart/form-data; boundary=<boundary>" : type;
  const recorded: Recorded = { method: request.method, url: request.url, headers };
  if (type.startsWith("multipart/form-data")) {
    const form = await request.formData();
    const parts: unknown[] = [];
    let metadata: unknown = null;
    const fields: Record<string, string> = {};
    for (const [name, value] of form.entries()) {
      if (name === "metadata" && typeof value !== "string") metadata = JSON.parse(await value.text()) as unknown;
      else if (typeof value !== "string") parts.push({ name, filename: value.name, type: value.type, size: value.size });
      // KV writes with metadata (the audit log): text fields `value` and `metadata`.
      else fields[name] = value;
    }
    recorded.body = Object.keys(fields).length === 0 ? { metadata, parts } : { fields, parts };
  } else if (request.body !== null) {
    const text = await request.text();
    recorded.body = type === "application/json" ? JSON.parse(text) as unknown : text;
  }
  return recorded;
}

/** Answers like Cloudflare for the calls the scenario makes. */
function fakeCloudflare(log: Recorded[]): FetchLike {
  const kv = new Map<string, string>();
  return async (input, init) => {
    const request = new Request(input, init);
    log.push(stable(await normalise(request.clone())));
    const url = new URL(request.url);
    const path = url.pathname.replace("/client/v4/accounts/0123abcd", "");
    const kvValue = /^\/storage\/kv\/namespaces\/kv-plans-id\/values\/(.+)$/.exec(path);
    if (kvValue !== null) {
      const key = decodeURIComponent(kvValue[1] ?? "");
      if (request.method === "PUT") {
        const multipart = (request.headers.get("content-type") ?? "").startsWith("multipart/form-data");
        const value = multipart ? (await request.formData()).get("value") : await request.text();
        kv.set(key, typeof value === "string" ? value : "");
        return envelope(null);
      }
      const value = kv.get(key);
      return value === undefined ? failure(404, 10009, "get: 'key not found'") : new Response(value);
    }
    if (path.endsWith("/storage/kv/namespaces/kv-plans-id/keys")) return envelope([...kv.keys()].map((name) => ({ name })), { count: kv.size, cursor: "" });
    if (path === "/workers/dispatch/namespaces" && request.method === "POST") return envelope({ namespace_id: "uuid-1", namespace_name: "prod-tenants", created_on: "2026-11-20T00:00:00Z" });
    if (path.endsWith("/tags")) return envelope(["customer-1", "production"]);
    if (path.includes("/tags/")) return envelope(null);
    if (path.endsWith("/scripts") && request.method === "GET") {
      return url.searchParams.has("cursor")
        ? envelope([{ id: "zeta", etag: "e2", created_on: "", modified_on: "", tags: [] }], { count: 1, per_page: 1000 })
        : envelope([{ id: "hello", etag: "e1", created_on: "", modified_on: "", tags: ["customer-1"] }], { count: 1, per_page: 1000, cursor: "opaque-1" });
    }
    const script = { id: "hello", etag: "etag-123456789abc", created_on: "", modified_on: "", tags: ["customer-1"], bindings: [] };
    if (/\/scripts\/[^/]+$/.test(path) && request.method === "GET") return envelope({ dispatch_namespace: "prod-tenants", script });
    if (request.method === "PUT") return envelope(script);
    return envelope(null);
  };
}

describe("Cloudflare request shapes (recorded fixture)", () => {
  it("matches the recorded requests, command by command", async () => {
    const log: Recorded[] = [];
    const opts = { env: ENV, fetch: fakeCloudflare(log) };
    const steps: string[][] = [
      ["namespace", "create", "prod-tenants"],
      ["script", "upload", "hello", join(TENANTS, "hello"), "--tag", "customer-1", "--binding", "GREETING=hi", "--plan", "pro", "-n", "prod-tenants"],
      ["script", "upload", "legacy-sw", join(TENANTS, "legacy-sw", "index.js"), "-n", "prod-tenants"],
      ["script", "list", "--tags", "customer-1:yes,staging:no", "--all", "-n", "prod-tenants"],
      ["script", "get", "hello", "-n", "prod-tenants"],
      ["tags", "set", "hello", "customer-1", "production", "-n", "prod-tenants"],
      ["tags", "add", "hello", "eu", "-n", "prod-tenants"],
      ["tags", "rm", "hello", "eu", "-n", "prod-tenants"],
      ["script", "delete", "--tags", "customer-1:yes", "--yes", "-n", "prod-tenants"],
      ["script", "delete", "hello", "-n", "prod-tenants"],
      ["plan", "set", "gold", "--cpu-ms", "200", "--subrequests", "500"],
      ["tenant", "suspend", "hello"],
      ["namespace", "delete", "prod-tenants"],
    ];
    const recorded: Record<string, Recorded[]> = {};
    for (const argv of steps) {
      const before = log.length;
      const res = await cli(opts, ...argv);
      expect(res.code, `${argv.join(" ")}: ${res.err}`).toBe(0);
      recorded[argv.join(" ").replace(TENANTS, "<fixtures>")] = log.slice(before);
    }
    if (process.env.UPDATE_FIXTURES === "1") await writeFile(FIXTURE, `${JSON.stringify(recorded, null, 2)}\n`);
    expect(recorded).toEqual(JSON.parse(await readFile(FIXTURE, "utf8")) as unknown);
  });

  it("needs both Cloudflare variables, and the plans KV id for plan commands", async () => {
    const half = await cli({ env: { CLOUDFLARE_ACCOUNT_ID: "0123abcd" } }, "namespace", "list");
    expect(half.code).toBe(1);
    expect(half.err).toContain("set both CLOUDFLARE_ACCOUNT_ID and CLOUDFLARE_API_TOKEN");
    const noKv = await cli({ env: { CLOUDFLARE_ACCOUNT_ID: "a", CLOUDFLARE_API_TOKEN: "t" }, fetch: fakeCloudflare([]) }, "plan", "list");
    expect(noKv.code).toBe(1);
    expect(noKv.err).toContain("TENANTSCOPE_PLANS_KV_ID");
  });
});

describe("retries", () => {
  it("retries 429 (honouring Retry-After) and 5xx with backoff, then succeeds", async () => {
    const answers = [
      new Response("slow down", { status: 429, headers: { "retry-after": "2" } }),
      failure(503, 10013, "service unavailable"),
      envelope({ id: "hello", etag: "etag-ok" }, undefined, 201),
    ];
    const sleeps: number[] = [];
    let calls = 0;
    const res = await cli({ env: ENV, sleeps, fetch: async () => answers[calls++] ?? failure(500, 1, "unexpected") },
      "script", "upload", "hello", join(TENANTS, "hello"), "-n", "prod-tenants");
    expect(res.code, res.err).toBe(0);
    expect(calls).toBe(3);
    expect(sleeps[0]).toBe(2000);
    expect(sleeps[1]).toBeGreaterThan(0);
    expect(res.err).toContain("HTTP 429, retrying in 2.0 s (attempt 2)");
    expect(res.out).toMatch(/^created hello/);
  });

  it("gives up after 5 attempts with the API's message, and never retries a POST or a 4xx", async () => {
    let calls = 0;
    const down = await cli({ env: ENV, fetch: async () => { calls++; return failure(502, 10001, "bad gateway"); } }, "script", "get", "hello");
    expect(down.code).toBe(1);
    expect(calls).toBe(5);
    expect(down.err).toContain("error: bad gateway (code 10001)");
    calls = 0;
    await cli({ env: ENV, fetch: async () => { calls++; return failure(503, 10001, "busy"); } }, "namespace", "create", "x");
    expect(calls).toBe(1);
    calls = 0;
    const notFound = await cli({ env: ENV, fetch: async () => { calls++; return failure(404, 10007, "script not found"); } }, "script", "get", "hello");
    expect(calls).toBe(1);
    expect(notFound.err).toBe("error: script not found (code 10007)");
  });

  it("reports each tenant of a bulk upload and fails with every failure named", async () => {
    const res = await cli({
      env: ENV,
      fetch: async (input) => (String(input).includes("/scripts/legacy-sw") ? failure(400, 10021, "bad script") : envelope({ id: "x", etag: "e" }, undefined, 200)),
    }, "script", "upload", TENANTS, "-n", "prod-tenants");
    expect(res.code).toBe(1);
    expect(res.err).toMatch(/\] legacy-sw FAILED: bad script \(code 10021\)/);
    expect(res.err).toMatch(/\] hello updated/);
    expect(res.err).toContain("1 of 2 uploads failed: legacy-sw (bad script (code 10021))");
  });
});
