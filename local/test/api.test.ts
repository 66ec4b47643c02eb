import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { app } from "../src/api/app.ts";
import { API, NS_API, api, createNamespace, multipart, uniqueName, upload } from "./helpers.ts";

const OK_SRC = `export default { fetch() { return new Response("ok"); } }`;

describe("authentication", () => {
  it("answers 401 in Cloudflare's envelope without a bearer token", async () => {
    const res = await api("", {}, null);
    expect(res.status).toBe(401);
    expect(res.body.success).toBe(false);
    expect(res.body.errors[0]?.code).toBe(10000);
  });

  it("rejects a wrong token", async () => {
    expect((await api("", {}, "nope")).status).toBe(401);
  });

  it("fails closed when API_TOKEN is empty: an empty bearer token does not match it", async () => {
    for (const authorization of ["Bearer ", "Bearer", ""]) {
      const res = await app.request(NS_API, { headers: { authorization } }, { ...env, API_TOKEN: "" });
      expect(res.status, JSON.stringify(authorization)).toBe(401);
    }
  });
});

describe("namespaces", () => {
  it("creates, gets, lists and deletes", async () => {
    const name = uniqueName("ns");
    const created = await api<{ namespace_name: string; script_count: number }>("", {
      method: "POST", body: JSON.stringify({ name }), headers: { "content-type": "application/json" },
    });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ success: true, errors: [], result: { namespace_name: name, script_count: 0 } });
    await upload(name, "one", OK_SRC);
    const got = await api<{ script_count: number }>(`/${name}`);
    expect(got.body.result.script_count).toBe(1);
    const list = await api<{ namespace_name: string }[]>("");
    expect(list.body.result.map((n) => n.namespace_name)).toContain(name);
    expect((await api(`/${name}`, { method: "DELETE" })).status).toBe(200);
    expect((await api(`/${name}`)).status).toBe(404);
  });

  it("refuses a duplicate with 409 and a bad name with 400", async () => {
    const name = uniqueName("dup");
    await createNamespace(name);
    const dup = await api("", { method: "POST", body: JSON.stringify({ name }) });
    expect(dup.status).toBe(409);
    expect(dup.body.errors[0]?.message).toContain("already exists");
    const bad = await api("", { method: "POST", body: JSON.stringify({ name: "no spaces allowed" }) });
    expect(bad.status).toBe(400);
    const notJson = await api("", { method: "POST", body: "{" });
    expect(notJson.status).toBe(400);
  });

  it("404s an unknown namespace everywhere", async () => {
    expect((await api("/nowhere-ns")).status).toBe(404);
    expect((await api("/nowhere-ns/scripts")).status).toBe(404);
    expect((await upload("nowhere-ns", "x", OK_SRC)).status).toBe(404);
  });
});

describe("script upload", () => {
  it("creates with 201, replaces with 200 and a new etag, and reports tags", async () => {
    const ns = uniqueName("up");
    await createNamespace(ns);
    const first = await upload(ns, "app", OK_SRC, { metadata: { tags: ["demo", "customer-1"] } });
    expect(first.status).toBe(201);
    expect(first.body.result.tags).toEqual(["demo", "customer-1"]);
    const second = await upload(ns, "app", `${OK_SRC}\n// v2`);
    expect(second.status).toBe(200);
    expect(second.body.result.etag).not.toBe(first.body.result.etag);
  });

  it("returns details without binding values", async () => {
    const ns = uniqueName("det");
    await createNamespace(ns);
    await upload(ns, "app", OK_SRC, { metadata: { bindings: [{ type: "secret_text", name: "KEY", text: "s3cr3t-value" }] } });
    const res = await api<{ dispatch_namespace: string; script: { id: string; bindings: unknown[] } }>(`/${ns}/scripts/app`);
    expect(res.status).toBe(200);
    expect(res.body.result.dispatch_namespace).toBe(ns);
    expect(res.body.result.script.bindings).toEqual([{ name: "KEY", type: "secret_text" }]);
    expect(JSON.stringify(res.body)).not.toContain("s3cr3t-value");
  });

  it("validates names, metadata, bindings, tags and content types", async () => {
    const ns = uniqueName("val");
    await createNamespace(ns);
    const cases: [string, RequestInit, number, string][] = [
      ["Bad_Name", { body: multipart(OK_SRC) }, 400, "invalid script name"],
      ["app", { body: multipart(OK_SRC, { metadata: { bindings: [{ type: "kv_namespace", name: "KV", namespace_id: "x" }] } }) }, 400, "not supported"],
      ["app", { body: multipart(OK_SRC, { metadata: { tags: ["1", "2", "3", "4", "5", "6", "7", "8", "9"] } }) }, 400, "at most 8 tags"],
      ["app", { body: multipart(OK_SRC, { metadata: { tags: ["a,b"] } }) }, 400, "contains"],
      ["app", { body: multipart(OK_SRC, { metadata: { main_module: "missing.js" } }) }, 400, "Main module name is not present in bundle"],
      ["app", { body: multipart(OK_SRC, { metadata: { compatibility_date: "yesterday" } }) }, 400, "compatibility_date"],
      ["app", { body: "{}", headers: { "content-type": "application/json" } }, 415, "unsupported Content-Type"],
    ];
    for (const [name, init, status, message] of cases) {
      const res = await api(`/${ns}/scripts/${name}`, { method: "PUT", ...init });
      expect(res.status, `${name} ${message}`).toBe(status);
      expect(res.body.success).toBe(false);
      expect(res.body.errors[0]?.message).toContain(message);
    }
    const missingMeta = new FormData();
    missingMeta.append("index.js", new Blob([OK_SRC], { type: "application/javascript+module" }), "index.js");
    const res = await api(`/${ns}/scripts/app`, { method: "PUT", body: missingMeta });
    expect(res.body.errors[0]?.message).toBe("could not read content for part metadata");
    // Nothing was stored by the failed uploads.
    expect((await api(`/${ns}/scripts/app`)).status).toBe(404);
  });
});

describe("script listing", () => {
  it("pages with limit and an opaque cursor that survives inserts and deletes", async () => {
    const ns = uniqueName("list");
    await createNamespace(ns);
    const names = ["a1", "a2", "a3", "a4", "a5"];
    for (const n of names) await upload(ns, n, OK_SRC);
    const page1 = await api<{ id: string }[]>(`/${ns}/scripts?limit=2`);
    expect(page1.body.result.map((s) => s.id)).toEqual(["a1", "a2"]);
    const cursor = page1.body.result_info?.cursor;
    expect(typeof cursor).toBe("string");
    // A change before the cursor's position does not shift the next page.
    await api(`/${ns}/scripts/a1`, { method: "DELETE" });
    await upload(ns, "a0", OK_SRC);
    const page2 = await api<{ id: string }[]>(`/${ns}/scripts?limit=2&cursor=${cursor ?? ""}`);
    expect(page2.body.result.map((s) => s.id)).toEqual(["a3", "a4"]);
    const page3 = await api<{ id: string }[]>(`/${ns}/scripts?limit=2&cursor=${page2.body.result_info?.cursor ?? ""}`);
    expect(page3.body.result.map((s) => s.id)).toEqual(["a5"]);
    expect(page3.body.result_info?.cursor).toBeUndefined();
  });

  it("rejects a bad cursor or limit", async () => {
    const ns = uniqueName("badc");
    await createNamespace(ns);
    expect((await api(`/${ns}/scripts?cursor=!!!`)).status).toBe(400);
    expect((await api(`/${ns}/scripts?limit=0`)).status).toBe(400);
  });
});

// The KV REST API: kv-values.test.ts and kv-bulk.test.ts.

describe("Analytics Engine paths (forwarded to tenantscope-local-ae)", () => {
  const SQL = `${API}/analytics_engine/sql`;

  it("wants a bearer token", async () => {
    const post = (token: string | null) => api(SQL, { method: "POST", body: "SHOW TABLES" }, token);
    expect((await post(null)).status).toBe(401);
    expect((await post("wrong")).status).toBe(401);
  });

  it("answers the SQL API from the AE Worker, refusals as text", async () => {
    const headers = { authorization: "Bearer local" };
    const { exports } = await import("cloudflare:workers");
    const ok = await exports.default.fetch(new Request(SQL, { method: "POST", body: "SHOW TIMEZONE", headers }));
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ data: [{ timezone: "Etc/UTC" }] });
    const refused = await exports.default.fetch(new Request(SQL, { method: "POST", body: "SELECT 1 FROM a JOIN b", headers }));
    expect(refused.status).toBe(400);
    expect(await refused.text()).toMatch(/JOIN/);
  });

  it("answers unknown AE routes with an envelope 404", async () => {
    const res = await api(`${API}/analytics_engine/nope`, { method: "POST" });
    expect(res.status).toBe(404);
    expect(res.body.errors[0]?.code).toBe(7003);
  });
});

it("answers unknown routes with an envelope 404", async () => {
  const res = await api(`${NS_API}/x/y/z/w`);
  expect(res.status).toBe(404);
  expect(res.body.success).toBe(false);
});
