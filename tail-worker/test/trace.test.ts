import { describe, expect, it } from "vitest";
import type { InvocationRow } from "@tenantscope/core/schema";
import { traceToRow, UNKNOWN_TENANT, type PlanFallback, type PlanInfo } from "../src/trace.ts";
import { EVENTS, NS, fetchEvent, trace, type TraceJson } from "./fixtures.ts";

const KV_PLAN: PlanInfo = { plan: "kvplan", limits: { cpuMs: 77, subRequests: 8 }, source: "kv" };
const fallback: PlanFallback = () => KV_PLAN;
const noFallback: PlanFallback = () => undefined;

function row(t: unknown, fb: PlanFallback = fallback): InvocationRow {
  const read = traceToRow(t, fb);
  if (read.kind !== "tenant") throw new Error(`expected a tenant row, got ${read.kind}`);
  return read.row;
}

describe("traceToRow: a fetch invocation", () => {
  it("maps every field of a complete trace", () => {
    expect(row(trace())).toEqual({
      tenant: "hello", namespace: NS, plan: "pro", planSource: "header", outcome: "ok", eventType: "fetch",
      eventDetail: "", method: "GET", violation: "none", exceptionName: "", exceptionMessage: "",
      scriptVersion: "v-123", entrypoint: "default", pointKind: "single",
      invocations: 1, cpuMs: 3, wallMs: 7, status: 200, cpuLimitMs: 50, subrequestLimit: 100,
      logCount: 1, exceptionCount: 0, truncated: 0,
      clientStatus: 200, dispatcherAnswers: 0, errorCode: "", errorGroup: "", messageKey: "", logExcerpt: "", customer: "",
    });
  });

  it("reads the plan headers whatever their case", () => {
    const event = fetchEvent({ status: 201 });
    (event.request as { headers: Record<string, string> }).headers = { "X-TenantScope-Plan": "gold", "X-TENANTSCOPE-LIMITS": '{"cpuMs":5,"subRequests":6}' };
    expect(row(trace({ event }))).toMatchObject({ plan: "gold", planSource: "header", cpuLimitMs: 5, subrequestLimit: 6, status: 201 });
  });

  it("records the dispatcher's fallback plan as fallback, not as header", () => {
    const event = fetchEvent({ status: 503, plan: "free", limits: '{"cpuMs":10,"subRequests":10}' });
    (event.request as { headers: Record<string, string> }).headers["x-tenantscope-plan-source"] = "fallback";
    expect(row(trace({ event }))).toMatchObject({ plan: "free", planSource: "fallback", cpuLimitMs: 10 });
    (event.request as { headers: Record<string, string> }).headers["x-tenantscope-plan-source"] = "kv";
    expect(row(trace({ event }))).toMatchObject({ plan: "free", planSource: "header" });
  });

  it("falls back to the resolver when the headers are absent or invalid", () => {
    expect(row(trace({ event: fetchEvent({ status: 200 }) }))).toMatchObject({ plan: "kvplan", planSource: "kv", cpuLimitMs: 77, subrequestLimit: 8 });
    const bad = fetchEvent({ plan: "pro", limits: "{not json" });
    expect(row(trace({ event: bad }))).toMatchObject({ plan: "kvplan", planSource: "kv" });
  });

  it("records no plan when neither the trace nor the resolver has one", () => {
    expect(row(trace({ event: EVENTS.rpc }), noFallback)).toMatchObject({ plan: "", planSource: "none", cpuLimitMs: 0, subrequestLimit: 0 });
  });
});

describe("traceToRow: the customer column", () => {
  it("records the id of the first valid customer tag, without the prefix", () => {
    expect(row(trace({ scriptTags: ["plan:pro", "customer:acme-1", "customer:other"] })).customer).toBe("acme-1");
    expect(row(trace({ scriptTags: ["customer:bad id", "customer:", "customer:ok_2"] })).customer).toBe("ok_2");
  });

  it("records \"\" without a customer tag, or without tags, so the tenant is its own customer", () => {
    expect(row(trace()).customer).toBe("");
    expect(row(trace({ scriptTags: undefined })).customer).toBe("");
    expect(row(trace({ scriptTags: "customer:acme" })).customer).toBe("");
  });

  it("uses the configured prefix and ignores the default one then", () => {
    expect(traceToRow(trace({ scriptTags: ["customer:acme", "owner=globex"] }), fallback, "owner=")).toMatchObject({ row: { customer: "globex" } });
  });
});

describe("traceToRow: event types", () => {
  const expected: Record<string, [string, string]> = {
    fetch: ["fetch", ""], scheduled: ["scheduled", "*/5 * * * *"], queue: ["queue", "jobs"], alarm: ["alarm", ""],
    email: ["email", ""], rpc: ["rpc", "doThing"], tail: ["tail", ""], custom: ["custom", ""], unknown: ["unknown", ""],
  };
  for (const [name, event] of Object.entries(EVENTS)) {
    it(`classifies ${name}`, () => {
      const r = row(trace({ event }));
      expect([r.eventType, r.eventDetail]).toEqual(expected[name]);
      // None of these carries the dispatcher's plan headers (EVENTS.fetch has none
      // either), so every one takes the resolver's plan; headers are tested above.
      expect(r.planSource).toBe("kv");
    });
  }

  it("calls an unrecognised shape 'other' and a non-object event 'other'", () => {
    expect(row(trace({ event: { getWebSocketEvent: { webSocketEventType: "message" } } })).eventType).toBe("other");
    expect(row(trace({ event: "weird" })).eventType).toBe("other");
  });
});

describe("traceToRow: outcomes and violations", () => {
  const outcomes = ["ok", "exception", "exceededCpu", "exceededMemory", "scriptNotFound", "canceled", "responseStreamDisconnected", "unknown", "internalError", "loadShed", "killSwitch", "daemonDown"];
  for (const outcome of outcomes) {
    it(`keeps outcome ${outcome}`, () => {
      const r = row(trace({ outcome }));
      expect(r.outcome).toBe(outcome);
      expect(r.violation).toBe(outcome === "exceededCpu" ? "cpu" : outcome === "exceededMemory" ? "memory" : "none");
    });
  }

  it("keeps an outcome it has never seen, as sent", () => {
    expect(row(trace({ outcome: "brandNewOutcome2027" })).outcome).toBe("brandNewOutcome2027");
  });

  it("classifies the subrequest limit from the exception message and shows that exception", () => {
    const exceptions = [
      { name: "Error", message: "Too many subrequests by single Worker invocation. See https://developers.cloudflare.com/...", timestamp: 1 },
      { name: "TypeError", message: "later", timestamp: 2 },
    ];
    expect(row(trace({ outcome: "exception", exceptions }))).toMatchObject({
      violation: "subrequests", exceptionName: "Error", exceptionCount: 2, outcome: "exception",
      exceptionMessage: expect.stringMatching(/^Too many subrequests/) as unknown,
    });
  });

  it("shows the last exception otherwise", () => {
    const exceptions = [{ name: "A", message: "a" }, { name: "RangeError", message: "boom" }];
    expect(row(trace({ outcome: "exception", exceptions }))).toMatchObject({ violation: "none", exceptionName: "RangeError", exceptionMessage: "boom" });
  });

  it("prefers cpu over a subrequest message", () => {
    const exceptions = [{ name: "Error", message: "Too many subrequests" }];
    expect(row(trace({ outcome: "exceededCpu", exceptions })).violation).toBe("cpu");
  });
});

describe("traceToRow: non-tenant, missing and malformed traces", () => {
  it("skips a trace without dispatchNamespace", () => {
    expect(traceToRow(trace({ scriptName: "tenantscope-dispatcher", dispatchNamespace: undefined }), fallback)).toEqual({ kind: "not_tenant", scriptName: "tenantscope-dispatcher" });
    expect(traceToRow(trace({ dispatchNamespace: "" }), fallback).kind).toBe("not_tenant");
  });

  it("skips values that are not traces at all", () => {
    for (const v of [null, undefined, 42, "x", [], [1]]) expect(traceToRow(v, fallback).kind).toBe("not_tenant");
  });

  it("fills every missing field with an empty value", () => {
    const r = row({ dispatchNamespace: NS });
    expect(r).toMatchObject({
      tenant: UNKNOWN_TENANT, outcome: "unknown", eventType: "unknown", method: "", scriptVersion: "", entrypoint: "",
      invocations: 1, cpuMs: 0, wallMs: 0, status: 0, logCount: 0, exceptionCount: 0, truncated: 0, plan: "kvplan",
    });
  });

  it("survives wrongly typed fields", () => {
    const r = row({
      dispatchNamespace: NS, scriptName: 7, outcome: 3, cpuTime: "9", wallTime: -4, logs: "many", exceptions: [null, 5, { name: 1 }],
      scriptVersion: "v", event: { request: "GET", response: { status: "200" } }, truncated: "yes",
    });
    expect(r).toMatchObject({ tenant: UNKNOWN_TENANT, outcome: "unknown", cpuMs: 0, wallMs: 0, logCount: 0, exceptionCount: 1, scriptVersion: "", eventType: "fetch", method: "", status: 0, truncated: 0 });
  });

  it("marks a truncated trace and keeps what it has", () => {
    const t: TraceJson = trace({ truncated: true, logs: [], exceptions: [] });
    delete t.event;
    expect(row(t)).toMatchObject({ truncated: 1, tenant: "hello", eventType: "unknown", outcome: "ok", invocations: 1 });
  });

  it("reads NaN and Infinity timings as 0", () => {
    expect(row(trace({ cpuTime: Number.NaN, wallTime: Number.POSITIVE_INFINITY }))).toMatchObject({ cpuMs: 0, wallMs: 0 });
  });
});

describe("traceToRow: hibernation events", () => {
  it("calls them 'other', not 'custom'", () => {
    expect(row(trace({ event: { reason: "inactive" } })).eventType).toBe("other");
  });
});
