/**
 * Fake bindings: a dispatch namespace that records every `get()` and lets a
 * test decide what each tenant does; KV is the real local one (kv.ts).
 */
import { env as workerEnv } from "cloudflare:workers";
import { TtlCache } from "@tenantscope/core/plan-resolver";
import { expect } from "vitest";
import { createApp } from "../src/index.ts";
import type { DispatcherEnv, DispatcherVars } from "../src/env.ts";
import { RecordingKV } from "@tenantscope/core/testing/recording-kv";

export type TenantBehaviour = (request: Request) => Response | Promise<Response>;

export interface GetCall {
  name: string;
  args: Record<string, unknown> | undefined;
  /** The third argument as passed, so tests can check its exact shape. */
  options: DynamicDispatchOptions | undefined;
  /** The request the tenant received, once `fetch()` was called. */
  request?: Request;
}

/** Echoes what the tenant saw, so tests can assert on URL, method, headers and body. */
export const echo: TenantBehaviour = async (request) =>
  Response.json({
    url: request.url,
    method: request.method,
    redirect: request.redirect,
    headers: Object.fromEntries(request.headers),
    body: request.body === null ? null : await request.text(),
  });

export interface Echoed {
  url: string;
  method: string;
  redirect: string;
  headers: Record<string, string>;
  body: string | null;
}

/**
 * Structurally a `DispatchNamespace`, so it also fits the generated Env.
 * Like production, `get()` never fails; `fetch()` of an unknown name throws "Worker not found.".
 */
export class FakeNamespace implements DispatchNamespace {
  readonly calls: GetCall[] = [];
  readonly tenants = new Map<string, TenantBehaviour>();

  get(name: string, args?: Record<string, unknown>, options?: DynamicDispatchOptions): Fetcher {
    const call: GetCall = { name, args, options };
    this.calls.push(call);
    const behaviour = this.tenants.get(name);
    return {
      async fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
        const request = new Request(input, init);
        call.request = request;
        if (behaviour === undefined) throw new Error("Worker not found.");
        return behaviour(request);
      },
      connect(): Socket {
        throw new Error("connect() is not faked");
      },
    };
  }
}

/** The production vars from wrangler.jsonc, as the test Worker sees them. */
export const productionVars: Required<DispatcherVars> = {
  ROUTING: workerEnv.ROUTING,
  PLATFORM_DOMAIN: workerEnv.PLATFORM_DOMAIN,
  TENANT_HEADER: workerEnv.TENANT_HEADER,
  DEFAULT_PLAN: workerEnv.DEFAULT_PLAN,
  PLAN_CACHE_TTL_SECONDS: workerEnv.PLAN_CACHE_TTL_SECONDS,
};

/** A fresh app, cache, clock and fakes per test, so no test sees another's cache. */
export function setup(vars: DispatcherVars = {}) {
  const ns = new FakeNamespace();
  const kv = new RecordingKV(workerEnv.PLANS, "KV GET failed: 503 Service Unavailable");
  const logs: string[] = [];
  const answers: string[] = [];
  const clock = { now: 1_000_000 };
  const app = createApp({ cache: new TtlCache(), now: () => clock.now, log: (m) => logs.push(m), answerLog: (line) => answers.push(line) });
  const env: DispatcherEnv = { ...productionVars, ...vars, DISPATCHER: ns, PLANS: kv.binding };
  // Async, so callers always hold a promise (Hono types `request` as maybe-sync).
  const request = async (input: string, init?: RequestInit): Promise<Response> => app.request(input, init, env);
  return { ns, kv, logs, answers, clock, app, env, request };
}

export interface ErrorJson {
  error: { code: string; message: string };
}

export async function errorOf(res: Response): Promise<ErrorJson["error"]> {
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  const body: ErrorJson = await res.json();
  return body.error;
}
