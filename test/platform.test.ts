import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { createServer } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type Stack } from "../local/dev/stack.ts";
import { getWithHost } from "./http.ts";

let stateDir: string;
let stack: Stack;
/** Tenants keep the API's URL in their bindings, so a restart reuses its port. */
let apiPort: number;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

interface ErrorBody {
  error: { code: string; message: string };
}

async function get(path: string): Promise<Response> {
  return fetch(new URL(path, stack.urls.dispatcher));
}

async function api(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set("authorization", `Bearer ${stack.apiToken}`);
  return fetch(new URL(`client/v4/accounts/local/${path}`, stack.urls.api), { ...init, headers });
}

beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), "tenantscope-e2e-"));
  apiPort = await freePort();
  stack = await startStack({ port: 0, apiPort, persistTo: stateDir, log: () => {} });
});

afterAll(async () => {
  await stack?.dispose();
  await rm(stateDir, { recursive: true, force: true });
});

describe("the local platform, end to end", () => {
  it("answers a demo tenant by path and by subdomain", async () => {
    const byPath = await get("/hello/");
    expect(byPath.status).toBe(200);
    const text = await byPath.text();
    const bySubdomain = await getWithHost(stack.urls.dispatcher, "/", "hello.localhost");
    expect(bySubdomain.status).toBe(200);
    expect(bySubdomain.body).toBe(text);
  });

  it("maps a fan-out past the free plan to a 503 subrequest error", async () => {
    const res = await get("/fanout/?n=20");
    expect(res.status).toBe(503);
    expect(((await res.json()) as ErrorBody).error.code).toBe("subrequest_limit_exceeded");
    const under = await get("/fanout/?n=5");
    expect(under.status).toBe(200);
    expect(await under.json()).toMatchObject({ requested: 5, succeeded: 5 });
  });

  it("maps CPU over the plan's limit to a 503 after the fact", async () => {
    const res = await get("/cpu-burner/?ms=400");
    expect(res.status).toBe(503);
    expect(((await res.json()) as ErrorBody).error.code).toBe("cpu_limit_exceeded");
  });

  it("maps a tenant exception, an unknown tenant and a bad name", async () => {
    const thrown = await get("/thrower/");
    expect(thrown.status).toBe(500);
    expect(((await thrown.json()) as ErrorBody).error.code).toBe("tenant_exception");
    const missing = await get("/no-such-tenant/");
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as ErrorBody).error.code).toBe("tenant_not_found");
    const bad = await get("/Not_A_Name/");
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as ErrorBody).error.code).toBe("invalid_tenant_name");
    // The failures above did not disturb other tenants.
    expect((await get("/hello/")).status).toBe(200);
  });

  it("applies the plan written to KV through the API to a new tenant", async () => {
    const source = "export default { async fetch(req, env) { const n = Number(new URL(req.url).searchParams.get('n')); for (let i = 0; i < n; i++) await (await fetch(env.TARGET_URL)).text(); return new Response('ok ' + n); } }";
    const form = new FormData();
    form.append("metadata", new Blob([JSON.stringify({
      main_module: "index.js",
      bindings: [{ type: "plain_text", name: "TARGET_URL", text: new URL("_local/echo", stack.urls.api).href }],
    })]));
    form.append("index.js", new Blob([source], { type: "application/javascript+module" }), "index.js");
    expect((await api(`workers/dispatch/namespaces/${stack.namespace}/scripts/fanout-pro`, { method: "PUT", body: form })).status).toBe(201);
    const put = await api("storage/kv/namespaces/tenantscope-plans/values/tenant:fanout-pro", { method: "PUT", body: '{"plan":"pro"}' });
    expect(put.status).toBe(200);
    const res = await get("/fanout-pro/?n=20");
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("ok 20");
  });

  it("keeps uploads and plans across a restart", async () => {
    await stack.dispose();
    stack = await startStack({ port: 0, apiPort, persistTo: stateDir, seed: false, log: () => {} });
    expect((await get("/hello/")).status).toBe(200);
    expect(await (await get("/fanout-pro/?n=20")).text()).toBe("ok 20");
  });
});
