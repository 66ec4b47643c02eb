/**
 * The bulk routes and the namespace routes of the KV REST API, as `wrangler kv bulk`,
 * `wrangler kv namespace list` and the SDK's `bulkUpdate`, `bulkDelete`, `bulkGet`
 * and `namespaces.list` call them (local/REAL-CLIENTS.md §2, §3).
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { uniqueName } from "./helpers.ts";
import { KV, NAMESPACES, allBytes, json, kvApi, kvFetch, nowSeconds } from "./kv-helpers.ts";

interface BulkResult { successful_key_count: number; unsuccessful_keys: string[] }

function base64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes));
}

describe("KV bulk write", () => {
  it("writes values, metadata, TTLs and base64 values, and reports the count", async () => {
    const p = `bulk:${uniqueName("put")}:`;
    const res = await kvApi<BulkResult>("/bulk", json("PUT", [
      { key: `${p}a`, value: '{"plan":"pro"}', metadata: { m: 1 }, expiration_ttl: 600 },
      { key: `${p}b`, value: base64(allBytes()), base64: true },
      { key: `${p}c`, value: "first" },
      { key: `${p}c`, value: "last" },
    ]));
    expect(res).toMatchObject({ status: 200, body: { success: true, result: { successful_key_count: 4, unsuccessful_keys: [] } } });
    expect(await env.PLANS.get(`${p}a`, "json")).toEqual({ plan: "pro" });
    expect(new Uint8Array(await (await kvFetch(`/values/${p}b`)).arrayBuffer())).toEqual(allBytes());
    expect(await env.PLANS.get(`${p}c`)).toBe("last");
    const listed = (await kvApi<{ name: string; expiration?: number; metadata?: unknown }[]>(`/keys?prefix=${p}a`)).body.result;
    expect(listed[0]?.metadata).toEqual({ m: 1 });
    expect(listed[0]?.expiration).toBeLessThanOrEqual(nowSeconds() + 600);
  });

  const refusals: [string, unknown, string][] = [
    ["not an array", { key: "k", value: "v" }, "must be a JSON array"],
    ["an entry without a value", [{ key: "k" }], "entry 0: value must be a string"],
    ["a short TTL in a later entry", [{ key: "ok", value: "v" }, { key: "k", value: "v", expiration_ttl: 30 }], "Expiration TTL must be at least 60."],
    ["a TTL that is not a number", [{ key: "k", value: "v", expiration_ttl: "600" }], "entry 0: expiration_ttl must be a number"],
    ["bad base64", [{ key: "k", value: "***", base64: true }], "entry 0: value is not valid base64"],
    ["metadata over 1024 bytes", [{ key: "k", value: "v", metadata: "x".repeat(1100) }], "Metadata length of 1102 exceeds limit of 1024."],
    ["more than 10 000 entries", Array.from({ length: 10_001 }, (_, i) => ({ key: `k${i}`, value: "v" })), "at most 10000 entries"],
  ];

  it.each(refusals)("refuses %s, and writes nothing", async (_name, body, message) => {
    const p = `bulk:${uniqueName("bad")}:`;
    const prefixed = Array.isArray(body) ? body.map((e: Record<string, unknown>) => ({ ...e, key: `${p}${String(e.key)}` })) : body;
    const res = await kvApi("/bulk", json("PUT", prefixed));
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.body.errors[0]?.message).toContain(message);
    expect((await env.PLANS.list({ prefix: p })).keys).toEqual([]);
  });

  it("answers malformed JSON with a 400", async () => {
    const res = await kvApi("/bulk", { method: "PUT", body: "[{", headers: { "content-type": "application/json" } });
    expect(res).toMatchObject({ status: 400, body: { success: false } });
  });
});

describe("KV bulk delete and bulk get", () => {
  it("deletes with wrangler's DELETE /bulk and the SDK's POST /bulk/delete", async () => {
    const p = `bulk:${uniqueName("del")}:`;
    await Promise.all(["a", "b", "c"].map((k) => env.PLANS.put(`${p}${k}`, k)));
    const wr = await kvApi<BulkResult>("/bulk", json("DELETE", [`${p}a`, `${p}b`]));
    expect(wr.body.result).toEqual({ successful_key_count: 2, unsuccessful_keys: [] });
    const sdk = await kvApi<BulkResult>("/bulk/delete", json("POST", [`${p}c`, `${p}missing`]));
    expect(sdk.body.result).toEqual({ successful_key_count: 2, unsuccessful_keys: [] });
    expect((await env.PLANS.list({ prefix: p })).keys).toEqual([]);
    expect((await kvApi("/bulk/delete", json("POST", [1]))).status).toBe(400);
  });

  it("reads text, json and metadata, with null for a missing key", async () => {
    const p = `bulk:${uniqueName("get")}:`;
    await env.PLANS.put(`${p}j`, '{"a":1}', { metadata: { m: true } });
    const keys = [`${p}j`, `${p}missing`];
    const text = await kvApi<{ values: Record<string, unknown> }>("/bulk/get", json("POST", { keys }));
    expect(text.body.result.values).toEqual({ [`${p}j`]: '{"a":1}', [`${p}missing`]: null });
    const parsed = await kvApi<{ values: Record<string, unknown> }>("/bulk/get", json("POST", { keys, type: "json", withMetadata: true }));
    expect(parsed.body.result.values).toEqual({ [`${p}j`]: { value: { a: 1 }, metadata: { m: true } }, [`${p}missing`]: null });
  });

  it("refuses bad bulk reads", async () => {
    const p = `bulk:${uniqueName("getbad")}:`;
    await env.PLANS.put(`${p}t`, "not json");
    const cases: [unknown, string][] = [
      [{ keys: [] }, "You must request a minimum of 1 key"],
      [{ keys: Array.from({ length: 101 }, (_, i) => `k${i}`) }, "You can request a maximum of 100 keys"],
      [{ keys: ["k"], type: "stream" }, "\"stream\" is not a valid type. Use \"json\" or \"text\""],
      [{ keys: [`${p}t`], type: "json" }, "non-json value"],
      [["k"], "the body must be {\"keys\": [...]}"],
    ];
    for (const [body, message] of cases) {
      const res = await kvApi("/bulk/get", json("POST", body));
      expect(res.status, message).toBe(400);
      expect(res.body.errors[0]?.message).toContain(message);
    }
  });
});

describe("KV namespaces", () => {
  const plans = { id: "tenantscope-plans", title: "tenantscope-plans", supports_url_encoding: true };

  it("lists the one namespace on page 1 and nothing past it, so paging clients stop", async () => {
    const first = await kvApi(`${NAMESPACES}?per_page=1000&order=title&direction=asc`);
    expect(first.body).toMatchObject({ success: true, result: [plans], result_info: { page: 1, per_page: 1000, count: 1, total_count: 1 } });
    const second = await kvApi(`${NAMESPACES}?per_page=20&page=2`);
    expect(second.body).toMatchObject({ success: true, result: [], result_info: { page: 2, per_page: 20, count: 0, total_count: 1 } });
    for (const query of ["page=0", "per_page=0", "per_page=1001", "page=x"]) {
      expect((await kvApi(`${NAMESPACES}?${query}`)).status, query).toBe(400);
    }
  });

  it("gets the namespace by id and 404s others with 10013", async () => {
    expect((await kvApi(KV)).body).toMatchObject({ success: true, result: plans });
    for (const path of [`${NAMESPACES}/other`, `${NAMESPACES}/other/values/x`, `${NAMESPACES}/other/keys`, `${NAMESPACES}/other/bulk`]) {
      const res = await kvApi(path);
      expect(res.status, path).toBe(404);
      expect(res.body.errors[0]?.code).toBe(10013);
      expect(res.body.errors[0]?.message).toContain("tenantscope-plans");
    }
  });

  it("refuses to create, rename or delete namespaces, and leaves the plans namespace alone", async () => {
    const taken = await kvApi(NAMESPACES, json("POST", { title: "tenantscope-plans" }));
    expect(taken).toMatchObject({ status: 400, body: { errors: [{ code: 10014, message: "a namespace with this account ID and title already exists" }] } });
    for (const [path, init] of [[NAMESPACES, json("POST", { title: "new" })], [KV, json("PUT", { title: "renamed" })], [KV, { method: "DELETE" }]] as const) {
      const res = await kvApi(path, init);
      expect(res.status).toBe(400);
      expect(res.body.errors[0]?.message).toContain("the local API serves one KV namespace");
    }
    expect((await kvApi(NAMESPACES, { method: "POST", body: "{" })).status).toBe(400);
    expect((await kvApi(KV)).body.result).toEqual(plans);
  });
});
