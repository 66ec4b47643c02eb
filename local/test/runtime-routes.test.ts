/**
 * The stand-in's internal routes for the tenant host (local/host), inside workerd:
 * the code of a script version, and the relay that completes the traces the host
 * forwards and hands them to the script's tail consumers. (Tenants themselves run
 * in tenant processes; test/runtime.test.ts and test/tail-relay.test.ts cover that.)
 */
import { env, exports } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { TOKEN, createNamespace, uniqueName, upload } from "./helpers.ts";

const SOURCE = `export default { fetch() { return new Response("ok"); } }`;

function internal(path: string, init: RequestInit = {}, token: string | null = TOKEN): Promise<Response> {
  const headers = new Headers(init.headers);
  if (token !== null) headers.set("authorization", `Bearer ${token}`);
  return exports.default.fetch(new Request(`http://api.local/_local/runtime${path}`, { ...init, headers }));
}

interface Trace {
  scriptName?: string;
  dispatchNamespace?: string;
  scriptTags?: string[];
  scriptVersion?: { id?: string };
  event?: { request?: { headers?: Record<string, string> } };
}

async function recorded(ns: string): Promise<Trace[]> {
  const all = (await (await env.TAIL_RECORDER.fetch("http://recorder/")).json()) as Trace[];
  return all.filter((t) => t.dispatchNamespace === ns);
}

function trace(script: string, invocation: string): Record<string, unknown> {
  return {
    scriptName: null,
    event: { request: { method: "GET", url: `http://${script}.example/`, headers: { "x-tenantscope-invocation": invocation, accept: "*/*" } }, response: { status: 200 } },
    eventTimestamp: 1, logs: [], exceptions: [], outcome: "ok", cpuTime: 0, wallTime: 0,
  };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("internal runtime routes", () => {
  it("want the API's bearer token", async () => {
    expect((await internal("/traces", { method: "POST", body: "{}" }, null)).status).toBe(401);
    expect((await internal("/code/a/b/c", {}, "wrong")).status).toBe(401);
  });

  it("serve a script version's code, modules in base64, and 404 an unknown one", async () => {
    const ns = uniqueName("code");
    await createNamespace(ns);
    const up = await upload(ns, "app", SOURCE);
    const res = await internal(`/code/${ns}/app/${up.body.result.etag}`);
    expect(res.status).toBe(200);
    const code = (await res.json()) as { script: { name: string; etag: string }; modules: { name: string; type: string; content: string }[] };
    expect(code.script).toMatchObject({ name: "app", etag: up.body.result.etag });
    expect(code.modules.map((m) => [m.name, m.type, atob(m.content)])).toEqual([["index.js", "esm", SOURCE]]);
    expect((await internal(`/code/${ns}/ghost/x`)).status).toBe(404);
  });

  it("relay forwarded traces, completed, to the script's consumers, and say why none go to one not running", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const ns = uniqueName("relay");
    await createNamespace(ns);
    const up = await upload(ns, "echo", SOURCE, { metadata: { tail_consumers: [{ service: "tail-recorder" }], tags: ["eu"] } });
    await upload(ns, "elsewhere", SOURCE, { metadata: { tail_consumers: [{ service: "not-running" }] } });
    const post = (script: string) =>
      internal("/traces", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ namespace: ns, script, traces: [trace(script, crypto.randomUUID())] }) });
    expect((await post("echo")).status).toBe(202);
    expect((await post("elsewhere")).status).toBe(202);
    await vi.waitFor(async () => expect(await recorded(ns)).toHaveLength(1));
    const [got] = await recorded(ns);
    expect(got).toMatchObject({ scriptName: "echo", dispatchNamespace: ns, scriptTags: ["eu"], scriptVersion: { id: up.body.result.deployment_id } });
    expect(Object.keys(got?.event?.request?.headers ?? {})).not.toContain("x-tenantscope-invocation");
    await vi.waitFor(() => expect(warn).toHaveBeenCalledWith(expect.stringContaining('tail consumer "not-running" is not running locally')));
  });

  it("refuses a body that is not {namespace, script, traces}", async () => {
    const res = await internal("/traces", { method: "POST", body: JSON.stringify({ traces: "no" }) });
    expect(res.status).toBe(400);
  });
});
