/**
 * What `get()` answers is released once the response has arrived: an RPC stub (the local
 * stand-in's answer) otherwise holds the namespace's call open until it is collected.
 */
import { describe, expect, it } from "vitest";
import type { ResolvedTenant } from "@tenantscope/core/plan-resolver";
import { callTenant } from "../src/dispatch.ts";
import type { DispatcherEnv } from "../src/env.ts";

const DISPOSE = (Symbol as { dispose?: symbol }).dispose ?? Symbol("dispose");

const resolved: ResolvedTenant = { tenant: "acme", plan: "free", limits: { cpuMs: 10, subRequests: 10 }, suspended: false, stop: null, source: "kv" };

/** A namespace whose `get()` answers a disposable stub that records when it was disposed. */
function disposableNamespace(fetch: () => Promise<Response>) {
  const events: string[] = [];
  const stub = {
    fetch: async () => {
      const res = await fetch().catch((e: unknown) => {
        events.push("fetch failed");
        throw e;
      });
      events.push("fetch answered");
      return res;
    },
    [DISPOSE]: () => events.push("disposed"),
  };
  const namespace = { get: () => stub } as unknown as DispatcherEnv["DISPATCHER"];
  return { namespace, events };
}

describe("callTenant releases what get() answered", () => {
  it("disposes the stub after the response arrived, and the body is still read whole", async () => {
    const { namespace, events } = disposableNamespace(async () => new Response(new Blob(["x".repeat(100_000)]).stream()));
    const res = await callTenant(namespace, resolved, new Request("http://acme.example.com/"));
    expect(events).toEqual(["fetch answered", "disposed"]);
    expect((await res.text()).length).toBe(100_000);
  });

  it("disposes it when the tenant's fetch throws, and still maps the error", async () => {
    const { namespace, events } = disposableNamespace(async () => {
      throw new Error("Worker exceeded CPU time limit.");
    });
    const error = await callTenant(namespace, resolved, new Request("http://acme.example.com/")).catch((e: unknown) => e);
    expect(events).toEqual(["fetch failed", "disposed"]);
    expect(String(error)).toMatch(/CPU/);
  });

  it("leaves a Fetcher without Symbol.dispose alone", async () => {
    const namespace = { get: () => ({ fetch: async () => new Response("ok") }) } as unknown as DispatcherEnv["DISPATCHER"];
    const res = await callTenant(namespace, resolved, new Request("http://acme.example.com/"));
    expect(await res.text()).toBe("ok");
  });
});
