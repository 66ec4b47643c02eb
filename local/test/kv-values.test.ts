/**
 * Values, metadata and key listing of the KV REST API, as wrangler 4 and the
 * cloudflare SDK send them (local/REAL-CLIENTS.md §2, §3), and what the
 * dispatcher then reads through the PLANS binding.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { uniqueName } from "./helpers.ts";
import { allBytes, kvApi, kvFetch, nowSeconds, sdk6Form, wranglerForm } from "./kv-helpers.ts";

interface Key { name: string; expiration?: number; metadata?: unknown }

describe("KV values", () => {
  it("stores a raw body byte for byte and serves it back as octet-stream", async () => {
    const key = `bin:${uniqueName("raw")}`;
    // wrangler --path sends the bytes with no content-type.
    expect((await kvApi(`/values/${key}`, { method: "PUT", body: allBytes() })).status).toBe(200);
    const read = await kvFetch(`/values/${key}`);
    expect(read.status).toBe(200);
    expect(read.headers.get("content-type")).toBe("application/octet-stream");
    expect(new Uint8Array(await read.arrayBuffer())).toEqual(allBytes());
  });

  it("keeps a JSON record readable as text and json through the binding, as the dispatcher reads it", async () => {
    const key = `tenant:${uniqueName("txt")}`;
    await kvApi(`/values/${key}`, { method: "PUT", body: '{"plan":"pro"}', headers: { "content-type": "text/plain;charset=UTF-8" } });
    expect(await env.PLANS.get(key)).toBe('{"plan":"pro"}');
    expect(await env.PLANS.get(key, "json")).toEqual({ plan: "pro" });
  });

  it("stores the value and metadata of wrangler's multipart (text fields) with its TTL", async () => {
    const key = `plan:${uniqueName("wr")}`;
    const before = nowSeconds();
    const put = await kvApi(`/values/${key}?expiration_ttl=3600`, { method: "PUT", body: wranglerForm('{"cpuMs":20,"subRequests":30}', { owner: "ops" }) });
    expect(put).toMatchObject({ status: 200, body: { success: true, result: {} } });
    expect(await (await kvFetch(`/values/${key}`)).text()).toBe('{"cpuMs":20,"subRequests":30}');
    expect(await env.PLANS.get(key, "json")).toEqual({ cpuMs: 20, subRequests: 30 });
    expect((await kvApi(`/metadata/${key}`)).body).toMatchObject({ success: true, result: { owner: "ops" } });
    const listed = (await kvApi<Key[]>(`/keys?prefix=${key}`)).body.result;
    expect(listed).toHaveLength(1);
    expect(listed[0]?.metadata).toEqual({ owner: "ops" });
    const expiration = listed[0]?.expiration ?? 0;
    expect(expiration).toBeGreaterThanOrEqual(before + 3600);
    expect(expiration).toBeLessThanOrEqual(nowSeconds() + 3600);
  });

  it("stores SDK 6's multipart: a binary file part and a metadata file part", async () => {
    const key = `bin:${uniqueName("sdk6")}`;
    const expiration = nowSeconds() + 7200;
    const form = sdk6Form(new Blob([allBytes()], { type: "application/octet-stream" }), { v: 2 });
    expect((await kvApi(`/values/${key}?expiration=${expiration}`, { method: "PUT", body: form })).status).toBe(200);
    expect(new Uint8Array(await (await kvFetch(`/values/${key}`)).arrayBuffer())).toEqual(allBytes());
    expect((await kvApi(`/metadata/${key}`)).body.result).toEqual({ v: 2 });
    expect((await kvApi<Key[]>(`/keys?prefix=${key}`)).body.result).toEqual([{ name: key, expiration, metadata: { v: 2 } }]);
  });

  it("ignores SDK 7's bracket-flattened metadata fields: the value is kept, without metadata", async () => {
    const key = `plan:${uniqueName("sdk7")}`;
    const form = new FormData();
    form.append("value", "v7");
    form.append("metadata[owner]", "tenant-a");
    expect((await kvApi(`/values/${key}`, { method: "PUT", body: form })).status).toBe(200);
    expect(await (await kvFetch(`/values/${key}`)).text()).toBe("v7");
    expect((await kvApi(`/metadata/${key}`)).body).toMatchObject({ success: true, result: null });
  });

  it("lets expiration_ttl win over expiration, as Cloudflare documents", async () => {
    const key = `k:${uniqueName("both")}`;
    await kvApi(`/values/${key}?expiration_ttl=600&expiration=${nowSeconds() + 90_000}`, { method: "PUT", body: "x" });
    const [entry] = (await kvApi<Key[]>(`/keys?prefix=${key}`)).body.result;
    expect(entry?.expiration).toBeLessThanOrEqual(nowSeconds() + 600);
  });

  it("keeps keys with ':' and '/', escaped or not, and treats a missing key as 10009", async () => {
    const key = `a key/with:${uniqueName("slash")}`;
    await kvApi(`/values/${encodeURIComponent(key)}`, { method: "PUT", body: "enc" });
    expect(await env.PLANS.get(key)).toBe("enc");
    // The SDK 6.x does not escape the key's "/".
    expect(await (await kvFetch(`/values/${key.replaceAll(" ", "%20")}`)).text()).toBe("enc");
    expect((await kvApi(`/values/${encodeURIComponent(key)}`, { method: "DELETE" })).status).toBe(200);
    const missing = await kvApi(`/values/${encodeURIComponent(key)}`);
    expect(missing).toMatchObject({ status: 404, body: { success: false, errors: [{ code: 10009, message: "get: 'key not found'" }] } });
    expect((await kvApi(`/metadata/${encodeURIComponent(key)}`)).body.errors[0]?.code).toBe(10009);
    expect((await kvApi(`/values/${encodeURIComponent(key)}`, { method: "DELETE" })).status).toBe(200);
  });
});

describe("KV write refusals: Cloudflare's messages, and nothing changes", () => {
  const refusals: [string, string, RequestInit, number, string][] = [
    ["ttl under 60", "?expiration_ttl=59", { body: "new" }, 400, "Invalid expiration_ttl of 59. Expiration TTL must be at least 60."],
    ["ttl of 0", "?expiration_ttl=0", { body: "new" }, 400, "Invalid expiration_ttl of 0. Please specify integer greater than 0."],
    ["ttl not a number", "?expiration_ttl=soon", { body: "new" }, 400, "Invalid expiration_ttl of soon. Please specify integer greater than 0."],
    ["expiration in the past", "?expiration=1000", { body: "new" }, 400,
      "Invalid expiration of 1000. Please specify integer greater than the current number of seconds since the UNIX epoch."],
    ["expiration too far for KV", "?expiration=99999999999", { body: "new" }, 400, "Invalid expiration of 99999999999."],
    ["metadata over 1024 bytes", "", { body: wranglerForm("new", { pad: "x".repeat(1020) }) }, 413, "Metadata length of 1030 exceeds limit of 1024."],
    ["metadata not JSON", "", { body: (() => { const f = new FormData(); f.append("value", "new"); f.append("metadata", "{oops"); return f; })() }, 400, "metadata must be valid JSON"],
    ["a multipart body without a value part", "", { body: (() => { const f = new FormData(); f.append("metadata", "{}"); return f; })() }, 400, "without a \"value\" part"],
    ["a malformed multipart body", "", { body: "--x\r\nnot a part", headers: { "content-type": "multipart/form-data; boundary=x" } }, 400, "malformed multipart"],
  ];

  it.each(refusals)("refuses %s", async (_name, query, init, status, message) => {
    const key = `k:${uniqueName("refuse")}`;
    await kvApi(`/values/${key}`, { method: "PUT", body: "old" });
    const res = await kvApi(`/values/${key}${query}`, { method: "PUT", ...init });
    expect(res.status).toBe(status);
    expect(res.body.success).toBe(false);
    expect(res.body.errors[0]?.message).toContain(message);
    expect(await (await kvFetch(`/values/${key}`)).text()).toBe("old");
  });

  it("refuses an expiration less than 60 s ahead", async () => {
    const soon = nowSeconds() + 30;
    const res = await kvApi(`/values/k:${uniqueName("soon")}?expiration=${soon}`, { method: "PUT", body: "x" });
    expect(res.body.errors[0]?.message).toBe(`Invalid expiration of ${soon}. Expiration times must be at least 60 seconds in the future.`);
  });

  it("refuses bad key names", async () => {
    expect((await kvApi(`/values/${"k".repeat(513)}`, { method: "PUT", body: "x" })).status).toBe(414);
    expect((await kvApi(`/keys?prefix=${"k".repeat(513)}`)).status).toBe(414);
  });

  it("refuses a raw value over 25 MiB with 413, keeping the old value", async () => {
    const key = `k:${uniqueName("bigraw")}`;
    await kvApi(`/values/${key}`, { method: "PUT", body: "old" });
    const res = await kvApi(`/values/${key}`, { method: "PUT", body: new Uint8Array(25 * 1024 * 1024 + 1) });
    expect(res).toMatchObject({ status: 413, body: { errors: [{ code: 10011, message: "Value length of 26214401 exceeds limit of 26214400." }] } });
    expect(await env.PLANS.get(key)).toBe("old");
  });

  it("refuses a multipart value over 25 MiB with 413", async () => {
    const form = new FormData();
    form.append("value", new Blob([new Uint8Array(25 * 1024 * 1024 + 1)]), "blob");
    const res = await kvApi(`/values/k:${uniqueName("huge")}`, { method: "PUT", body: form });
    expect(res.status).toBe(413);
    expect(res.body.errors[0]).toEqual({ code: 10011, message: "Value length of 26214401 exceeds limit of 26214400." });
  });
});

describe("KV key listing", () => {
  it("pages with limit and cursor, ending on cursor \"\"", async () => {
    const prefix = `page:${uniqueName("list")}:`;
    const names = Array.from({ length: 25 }, (_, i) => `${prefix}${String(i).padStart(2, "0")}`);
    await Promise.all(names.map((n) => env.PLANS.put(n, "v")));
    const seen: string[] = [];
    let cursor = "";
    let pages = 0;
    do {
      const res = await kvApi<Key[]>(`/keys?prefix=${encodeURIComponent(prefix)}&limit=10${cursor === "" ? "" : `&cursor=${encodeURIComponent(cursor)}`}`);
      expect(res.body.result_info?.count).toBe(res.body.result.length);
      seen.push(...res.body.result.map((k) => k.name));
      cursor = res.body.result_info?.cursor ?? "";
      pages += 1;
    } while (cursor !== "" && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual(names);
  });

  it("refuses a limit outside 10..1000", async () => {
    for (const limit of ["5", "1001", "ten"]) {
      const res = await kvApi(`/keys?limit=${limit}`);
      expect(res.status, limit).toBe(400);
      expect(res.body.errors[0]?.message).toContain(`Invalid key_count_limit of ${limit}`);
    }
    expect((await kvApi("/keys?limit=10")).status).toBe(200);
  });
});
