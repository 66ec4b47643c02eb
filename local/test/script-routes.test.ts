/**
 * The namespace API as wrangler and the SDK use it: part naming, keep_bindings and
 * inherit, the upload answer's fields, the sub-resources (content, settings, bindings,
 * secrets), and Cloudflare's codes. The probe itself passes here (see vitest.config);
 * its refusals are tested on the real runtime in test/upload-validation.test.ts.
 */
import { describe, expect, it } from "vitest";
import { API, NS_API, api, createNamespace, multipart, uniqueName, upload } from "./helpers.ts";

const SRC = 'export default { fetch() { return new Response("ok"); } };';

interface Binding { name: string; type: string; text?: string }

function sdkStyle(modules: Record<string, string>, metadata: Record<string, unknown>): FormData {
  const form = new FormData();
  form.append("metadata", new File([JSON.stringify(metadata)], "metadata", { type: "application/json" }));
  // The SDK 6 names every module part "files"; the filename is the module's name.
  for (const [name, source] of Object.entries(modules)) form.append("files", new File([source], name, { type: "application/javascript+module" }));
  return form;
}

describe("uploads as real clients send them", () => {
  it("names modules by filename (SDK 6: every part is called files) and ignores source maps", async () => {
    const ns = uniqueName("sdk");
    await createNamespace(ns);
    const form = sdkStyle({ "index.js": 'import { x } from "./lib.js"; export default { fetch() { return new Response(x); } };', "lib.js": 'export const x = "lib";' },
      { main_module: "index.js", compatibility_date: "2026-11-01" });
    form.append("files", new File(["{}"], "index.js.map", { type: "application/source-map" }));
    const res = await api<{ main_module: string; has_modules: boolean }>(`/${ns}/scripts/this-is_my_script-01`, { method: "PUT", body: form });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.result).toMatchObject({ main_module: "index.js", has_modules: true });
    const content = await fetchContent(ns, "this-is_my_script-01");
    expect([...content.keys()].sort()).toEqual(["index.js", "lib.js"]);
  });

  it("answers startup_time_ms, a deployment_id and a compatibility date, and 10092 for a script not there yet", async () => {
    const ns = uniqueName("ans");
    await createNamespace(ns);
    const missing = await api(`/${ns}/scripts/app`);
    expect(missing.status).toBe(404);
    expect(missing.body.errors[0]?.code).toBe(10092);
    const form = new FormData();
    form.append("metadata", JSON.stringify({ main_module: "index.js" }));
    form.append("index.js", new File([SRC], "index.js", { type: "application/javascript+module" }));
    const res = await api<{ startup_time_ms: number; deployment_id: string; compatibility_date: string }>(`/${ns}/scripts/app`, { method: "PUT", body: form });
    expect(res.body.result.startup_time_ms).toBe(5);
    expect(res.body.result.deployment_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(res.body.result.compatibility_date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it("keeps the bindings of the types in keep_bindings, and takes inherit from the previous version", async () => {
    const ns = uniqueName("keep");
    await createNamespace(ns);
    await upload(ns, "app", SRC, { metadata: { bindings: [
      { type: "secret_text", name: "KEY", text: "s1" }, { type: "plain_text", name: "OLD_VAR", text: "v" }, { type: "plain_text", name: "SRC", text: "from-v1" },
    ] } });
    // wrangler's redeploy: new vars, no secrets, keep_bindings for secrets.
    const again = await upload(ns, "app", `${SRC}\n// v2`, { metadata: {
      bindings: [{ type: "plain_text", name: "GREETING", text: "hi" }, { type: "inherit", name: "COPIED", old_name: "SRC" }],
      keep_bindings: ["secret_text", "secret_key"],
    } });
    expect(again.status).toBe(200);
    const bindings = await api<Binding[]>(`/${ns}/scripts/app/bindings`);
    expect(bindings.body.result).toEqual([
      { name: "GREETING", type: "plain_text", text: "hi" },
      { name: "COPIED", type: "plain_text", text: "from-v1" },
      { name: "KEY", type: "secret_text" },
    ]);
    const bad = await upload(ns, "app", SRC, { metadata: { bindings: [{ type: "inherit", name: "NOPE" }] } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0]?.message).toContain('no binding named "NOPE"');
  });

  it("refuses module names that leave the Worker, dates in the future and oversized variables", async () => {
    const ns = uniqueName("refuse");
    await createNamespace(ns);
    const cases: [Record<string, unknown>, Record<string, { source: string }>, string][] = [
      [{}, { "../escape.js": { source: SRC } }, "invalid module name"],
      [{}, { "/abs.js": { source: SRC } }, "invalid module name"],
      [{ compatibility_date: "2999-01-01" }, {}, "Can't set compatibility date in the future: 2999-01-01"],
      [{ bindings: [{ type: "plain_text", name: "BIG", text: "x".repeat(5 * 1024 + 1) }] }, {}, "at most 5120"],
      [{ bindings: Array.from({ length: 129 }, (_, i) => ({ type: "plain_text", name: `V${i}`, text: "v" })) }, {}, "at most 128 bindings"],
    ];
    for (const [metadata, modules, message] of cases) {
      const res = await upload(ns, "app", SRC, { metadata, modules });
      expect(res.status, message).toBe(400);
      expect(res.body.errors[0]).toMatchObject({ code: 10021 });
      expect(res.body.errors[0]?.message).toContain(message);
    }
    expect((await api(`/${ns}/scripts/app`)).status).toBe(404);
  });
});

async function fetchContent(ns: string, name: string): Promise<Map<string, string>> {
  const { exports } = await import("cloudflare:workers");
  const res = await exports.default.fetch(new Request(`${NS_API}/${ns}/scripts/${name}/content`, { headers: { authorization: "Bearer local" } }));
  expect(res.headers.get("content-type")).toMatch(/^multipart\/form-data/);
  const form = await res.formData();
  const out = new Map<string, string>();
  for (const [key, value] of form.entries()) out.set(key, typeof value === "string" ? value : await value.text());
  return out;
}

describe("script sub-resources", () => {
  it("replaces content, keeping settings and bindings", async () => {
    const ns = uniqueName("content");
    await createNamespace(ns);
    await upload(ns, "app", SRC, { metadata: { bindings: [{ type: "plain_text", name: "V", text: "1" }] } });
    const form = new FormData();
    form.append("files", new File(['export default { fetch() { return new Response("v2"); } };'], "main.js", { type: "application/javascript+module" }));
    const res = await api<{ main_module: string }>(`/${ns}/scripts/app/content`, { method: "PUT", body: form, headers: { "cf-worker-main-module-part": "main.js" } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.result.main_module).toBe("main.js");
    expect((await fetchContent(ns, "app")).get("main.js")).toContain("v2");
    expect((await api<Binding[]>(`/${ns}/scripts/app/bindings`)).body.result).toEqual([{ name: "V", type: "plain_text", text: "1" }]);
  });

  it("patches settings from a settings part, and refuses the SDK 7's flattened form", async () => {
    const ns = uniqueName("settings");
    await createNamespace(ns);
    await upload(ns, "app", SRC, { metadata: { tags: ["a"] } });
    const form = new FormData();
    form.append("settings", new File([JSON.stringify({ tags: ["b", "c"], observability: { enabled: true }, tail_consumers: [{ service: "tailer" }] })], "settings", { type: "application/json" }));
    const res = await api<{ tags: string[]; observability: { enabled: boolean }; tail_consumers: { service: string }[] }>(`/${ns}/scripts/app/settings`, { method: "PATCH", body: form });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.result).toMatchObject({ tags: ["b", "c"], observability: { enabled: true }, tail_consumers: [{ service: "tailer" }] });
    expect((await api<{ observability: unknown }>(`/${ns}/scripts/app/settings`)).body.result.observability).toEqual({ enabled: true });
    const flattened = new FormData();
    flattened.append("settings[tags][]", "x");
    const refused = await api(`/${ns}/scripts/app/settings`, { method: "PATCH", body: flattened });
    expect(refused.status).toBe(400);
    expect(refused.body.errors[0]?.message).toBe("could not read content for part settings");
  });

  it("sets, lists, reads, deletes and bulk-changes secrets without ever answering a value", async () => {
    const ns = uniqueName("secrets");
    await createNamespace(ns);
    await upload(ns, "app", SRC, { metadata: { bindings: [{ type: "plain_text", name: "VAR", text: "v" }] } });
    const json = { "content-type": "application/json" };
    const put = await api(`/${ns}/scripts/app/secrets`, { method: "PUT", headers: json, body: JSON.stringify({ name: "API_KEY", text: "s3cr3t", type: "secret_text" }) });
    expect(put.body.result).toEqual({ name: "API_KEY", type: "secret_text" });
    const clash = await api(`/${ns}/scripts/app/secrets`, { method: "PUT", headers: json, body: JSON.stringify({ name: "VAR", text: "x", type: "secret_text" }) });
    expect(clash.status).toBe(400);
    const bulk = await api(`/${ns}/scripts/app/secrets-bulk`, { method: "PATCH", headers: json, body: JSON.stringify({ secrets: { API_KEY: null, OTHER: { type: "secret_text", text: "o" } } }) });
    expect(bulk.body.result).toEqual({ OTHER: { name: "OTHER", type: "secret_text" } });
    expect((await api(`/${ns}/scripts/app/secrets`)).body.result).toEqual([{ name: "OTHER", type: "secret_text" }]);
    expect((await api(`/${ns}/scripts/app/secrets/OTHER`)).body.result).toEqual({ name: "OTHER", type: "secret_text" });
    expect((await api(`/${ns}/scripts/app/secrets/API_KEY`)).status).toBe(404);
    expect((await api(`/${ns}/scripts/app/secrets/OTHER`, { method: "DELETE" })).status).toBe(200);
    const all = await api(`/${ns}/scripts/app/bindings`);
    expect(all.body.result).toEqual([{ name: "VAR", type: "plain_text", text: "v" }]);
    expect(JSON.stringify([put, bulk, all])).not.toMatch(/s3cr3t|"o"/);
  });
});

describe("namespace and account routes", () => {
  it("answers rename with 405 (Cloudflare removed it), namespaces with trusted_workers, and a 409 the SDK will not retry", async () => {
    const ns = uniqueName("rename");
    await createNamespace(ns);
    const rename = await api(`/${ns}`, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "other" }) });
    expect(rename.status).toBe(405);
    expect([10000, 9106]).not.toContain(rename.body.errors[0]?.code);
    expect((await api<{ trusted_workers: boolean }>(`/${ns}`)).body.result.trusted_workers).toBe(false);
    const { exports } = await import("cloudflare:workers");
    const dup = await exports.default.fetch(new Request(NS_API, { method: "POST", headers: { authorization: "Bearer local", "content-type": "application/json" }, body: JSON.stringify({ name: ns }) }));
    expect(dup.status).toBe(409);
    expect(dup.headers.get("x-should-retry")).toBe("false");
  });

  it("answers account-level script checks with 10007, as wrangler's dispatch deploy expects", async () => {
    for (const sub of ["secrets", "settings"]) {
      const res = await api(`${API}/workers/scripts/app/${sub}`);
      expect(res.status).toBe(404);
      expect(res.body.errors[0]?.code).toBe(10007);
    }
  });

  it("accepts script names Cloudflare accepts and refuses others", async () => {
    const ns = uniqueName("names");
    await createNamespace(ns);
    expect((await upload(ns, "under_score-01", SRC)).status).toBe(201);
    for (const name of ["Upper", "-dash", "a".repeat(64), "dot.name"]) {
      const res = await api(`/${ns}/scripts/${name}`, { method: "PUT", body: multipart(SRC) });
      expect(res.status, name).toBe(400);
    }
  });
});
