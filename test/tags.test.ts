/**
 * Script tags through the namespace REST API, and what they do to what runs: tag
 * changes keep the script serving, filtered deletes and namespace deletes stop it
 * (on the real local runtime).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type Stack } from "../local/dev/stack.ts";
import { NamespaceClient, uniqueName, type Envelope, type UploadOptions } from "./namespace-client.ts";

let stack: Stack;
let client: NamespaceClient;
beforeAll(async () => {
  stack = await startStack({ port: 0, apiPort: 0, dashboardPort: 0, persistTo: false, seed: false, log: () => {} });
  client = new NamespaceClient(stack);
});
afterAll(async () => {
  await stack.dispose();
});

const api = <T = unknown>(path: string, init: RequestInit = {}): Promise<{ status: number; body: Envelope<T> }> => client.api<T>(path, init);
const upload = (ns: string, name: string, source: string, opts: UploadOptions = {}) => client.upload(ns, name, source, opts);
const callTenant = (ns: string, name: string) => client.call(ns, name);
const createNamespace = (name: string) => client.createNamed(name);

const OK_SRC = `export default { fetch() { return new Response("ok"); } }`;

async function freshScript(tags: string[] = []): Promise<{ ns: string; path: string }> {
  const ns = uniqueName("tags");
  await createNamespace(ns);
  expect((await upload(ns, "app", OK_SRC, { metadata: { tags } })).status).toBe(201);
  return { ns, path: `/${ns}/scripts/app/tags` };
}

const put = (path: string, body: string) => api<string[] | null>(path, { method: "PUT", body, headers: { "content-type": "application/json" } });

describe("script tags", () => {
  it("gets the upload's tags as a list with result_info", async () => {
    const { path } = await freshScript(["a", "b"]);
    const res = await api<string[]>(path);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ success: true, errors: [], result: ["a", "b"], result_info: { count: 2 } });
  });

  it("replaces the list with PUT, adds one, removes one", async () => {
    const { ns, path } = await freshScript(["old"]);
    const replaced = await put(path, JSON.stringify(["x", "y", "x"]));
    expect(replaced.body.result).toEqual(["x", "y"]);
    expect((await api(`${path}/z`, { method: "PUT" })).status).toBe(200);
    expect((await api(`${path}/z`, { method: "PUT" })).status).toBe(200); // already there: no duplicate
    expect((await api(`${path}/x`, { method: "DELETE" })).status).toBe(200);
    expect((await api(`${path}/never-there`, { method: "DELETE" })).status).toBe(200);
    expect((await api<string[]>(path)).body.result).toEqual(["y", "z"]);
    // Script details agree, and tag changes leave the code version alone.
    const details = await api<{ script: { tags: string[]; etag: string } }>(`/${ns}/scripts/app`);
    expect(details.body.result.script.tags).toEqual(["y", "z"]);
    expect((await put(path, "[]")).body.result).toEqual([]);
  });

  it("keeps the etag and serves the script unchanged across tag changes", async () => {
    const { ns, path } = await freshScript();
    const before = await api<{ script: { etag: string } }>(`/${ns}/scripts/app`);
    await put(path, JSON.stringify(["t"]));
    const after = await api<{ script: { etag: string } }>(`/${ns}/scripts/app`);
    expect(after.body.result.script.etag).toBe(before.body.result.script.etag);
    expect(await (await callTenant(ns, "app")).text()).toBe("ok");
  });

  it("refuses a 9th tag, a comma or ampersand, and a body that is not a JSON array", async () => {
    const eight = ["1", "2", "3", "4", "5", "6", "7", "8"];
    const { path } = await freshScript(eight);
    const ninth = await api(`${path}/nine`, { method: "PUT" });
    expect(ninth.status).toBe(400);
    expect(ninth.body).toMatchObject({ success: false, result: null });
    expect(ninth.body.errors[0]).toMatchObject({ code: 10021 });
    expect(ninth.body.errors[0]?.message).toContain("at most 8 tags");
    expect((await put(path, JSON.stringify([...eight, "9"]))).status).toBe(400);
    expect((await api<string[]>(path)).body.result).toEqual(eight); // nothing changed
    const comma = await put(path, JSON.stringify(["a,b"]));
    expect(comma.status).toBe(400);
    expect(comma.body.errors[0]?.message).toContain('","');
    await put(path, "[]");
    expect((await api(`${path}/a%26b`, { method: "PUT" })).status).toBe(400);
    expect((await api(`${path}/a%2Cb`, { method: "PUT" })).status).toBe(400);
    expect((await put(path, "['single', 'quotes']")).status).toBe(400);
    expect((await put(path, '{"tags": ["a"]}')).status).toBe(400);
    expect((await put(path, "[1, 2]")).status).toBe(400);
  });

  it("404s an unknown script or namespace with Cloudflare's codes", async () => {
    const { ns } = await freshScript();
    const noScript = await api(`/${ns}/scripts/ghost/tags`);
    expect(noScript.status).toBe(404);
    expect(noScript.body.errors[0]?.code).toBe(10092);
    const noNs = await api("/ghost-ns/scripts/app/tags/x", { method: "PUT" });
    expect(noNs.status).toBe(404);
    expect(noNs.body.errors[0]?.code).toBe(100119);
  });

  it("answers true or false for ?tags=FILTER on one script", async () => {
    const { path } = await freshScript(["customer-1", "production"]);
    expect((await api<boolean>(`${path}?tags=customer-1:yes`)).body.result).toBe(true);
    expect((await api<boolean>(`${path}?tags=customer-1:yes,production:no`)).body.result).toBe(false);
  });
});

describe("listing and deleting by tag filter", () => {
  async function tagged(): Promise<string> {
    const ns = uniqueName("filter");
    await createNamespace(ns);
    const scripts: Record<string, string[]> = {
      a: ["c1", "prod"], b: ["c1"], c: ["c2", "prod"], d: [], e: ["c1", "prod", "beta"],
    };
    for (const [name, tags] of Object.entries(scripts)) await upload(ns, name, OK_SRC, { metadata: { tags } });
    return ns;
  }
  const ids = (res: { body: { result: { id: string }[] } }) => res.body.result.map((s) => s.id);

  it("filters with yes (must have all) and no (must have none), and pages the result", async () => {
    const ns = await tagged();
    expect(ids(await api<{ id: string }[]>(`/${ns}/scripts?tags=c1:yes`))).toEqual(["a", "b", "e"]);
    expect(ids(await api<{ id: string }[]>(`/${ns}/scripts?tags=c1:yes,prod:yes`))).toEqual(["a", "e"]);
    expect(ids(await api<{ id: string }[]>(`/${ns}/scripts?tags=prod:no`))).toEqual(["b", "d"]);
    expect(ids(await api<{ id: string }[]>(`/${ns}/scripts?tags=c1:yes,beta:no`))).toEqual(["a", "b"]);
    expect(ids(await api<{ id: string }[]>(`/${ns}/scripts?tags=`))).toEqual(["a", "b", "c", "d", "e"]);
    const page1 = await api<{ id: string }[]>(`/${ns}/scripts?tags=prod:yes&limit=2`);
    expect(ids(page1)).toEqual(["a", "c"]);
    expect(page1.body.result_info).toMatchObject({ count: 2, per_page: 2 });
    const page2 = await api<{ id: string }[]>(`/${ns}/scripts?tags=prod:yes&limit=2&cursor=${page1.body.result_info?.cursor ?? ""}`);
    expect(ids(page2)).toEqual(["e"]);
    expect(page2.body.result_info?.cursor).toBeUndefined();
  });

  it("sees tag changes in filtered listings at once", async () => {
    const ns = await tagged();
    await api(`/${ns}/scripts/d/tags/c1`, { method: "PUT" });
    await api(`/${ns}/scripts/a/tags/c1`, { method: "DELETE" });
    expect(ids(await api<{ id: string }[]>(`/${ns}/scripts?tags=c1:yes`))).toEqual(["b", "d", "e"]);
  });

  it("rejects a malformed filter with 400", async () => {
    const ns = await tagged();
    for (const bad of ["c1", "c1:maybe", ":yes", "c1:yes,c1:no"]) {
      const res = await api(`/${ns}/scripts?tags=${encodeURIComponent(bad)}`);
      expect(res.status, bad).toBe(400);
      expect(res.body.errors[0]?.message).toContain("tags filter");
    }
  });

  it("deletes exactly what the filter matches, and those scripts stop running", async () => {
    const ns = await tagged();
    const res = await api(`/${ns}/scripts?tags=c1:yes,beta:no`, { method: "DELETE" });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ success: true, result: null });
    expect(ids(await api<{ id: string }[]>(`/${ns}/scripts`))).toEqual(["c", "d", "e"]);
    await expect(callTenant(ns, "a")).rejects.toThrow(/^Worker not found/);
    expect((await callTenant(ns, "e")).status).toBe(200);
    expect((await api<{ script_count: number }>(`/${ns}`)).body.result.script_count).toBe(3);
  });

  it("refuses a bulk delete without a filter, and 404s an unknown namespace", async () => {
    const ns = await tagged();
    const res = await api(`/${ns}/scripts`, { method: "DELETE" });
    expect(res.status).toBe(400);
    expect(res.body.errors[0]?.message).toContain("needs a tags filter");
    expect(ids(await api<{ id: string }[]>(`/${ns}/scripts`))).toHaveLength(5);
    expect((await api("/ghost-ns/scripts?tags=a:yes", { method: "DELETE" })).status).toBe(404);
  });
});

describe("namespace deletion and the isolate cache", () => {
  it("does not bring back a deleted namespace's scripts when it is recreated", async () => {
    const ns = uniqueName("recreate");
    await createNamespace(ns);
    await upload(ns, "a", OK_SRC);
    expect((await callTenant(ns, "a")).status).toBe(200);
    await api(`/${ns}`, { method: "DELETE" });
    await createNamespace(ns);
    await expect(callTenant(ns, "a")).rejects.toThrow(/^Worker not found/);
    expect((await api<unknown[]>(`/${ns}/scripts`)).body.result).toEqual([]);
  });

  it("serves nothing after a delete that raced with calls", async () => {
    const ns = uniqueName("race");
    await createNamespace(ns);
    await upload(ns, "a", OK_SRC);
    const calls = Array.from({ length: 5 }, () => callTenant(ns, "a").then((r) => r.text(), (e: unknown) => String(e)));
    await api(`/${ns}`, { method: "DELETE" });
    await Promise.all(calls);
    await expect(callTenant(ns, "a")).rejects.toThrow(/^Worker not found/);
  });
});
