/**
 * The status a tenant's client got, error grouping (message normalisation, group ids)
 * and the log excerpt, from a trace to the point the tail writes.
 */
import { describe, expect, it } from "vitest";
import { normaliseMessage } from "@tenantscope/core/error-groups";
import { EXCERPT_CUT_PREFIX, buildExcerpt, cutExcerpt, parseExcerpt } from "@tenantscope/core/log-excerpt";
import { AE_LIMITS, BLOBS, MESSAGE_MIN_BYTES, emptyRow, toDataPoint, utf8Length, type InvocationRow } from "@tenantscope/core/schema";
import { traceToRow } from "../src/trace.ts";
import { fetchEvent, trace, type TraceJson } from "./fixtures.ts";

function row(t: TraceJson): InvocationRow {
  const read = traceToRow(t, () => undefined);
  if (read.kind !== "tenant") throw new Error("expected a tenant row");
  return read.row;
}

const noResponse = fetchEvent({ plan: "free", limits: '{"cpuMs":10,"subRequests":10}' });
const thrown = (message: string, extra: TraceJson = {}): TraceJson =>
  trace({ outcome: "exception", event: noResponse, exceptions: [{ name: "Error", message, timestamp: 1 }], ...extra });

describe("the status the client got", () => {
  it("a tenant's own response is passed through: status as sent, no code", () => {
    expect([row(trace()).clientStatus, row(trace()).errorCode]).toEqual([200, ""]);
  });

  it("a throw is 500 tenant_exception, as the dispatcher answers it", () => {
    expect(row(thrown("boom"))).toMatchObject({ status: 0, clientStatus: 500, errorCode: "tenant_exception" });
  });

  it("a CPU or subrequest limit is 503 with the dispatcher's code", () => {
    expect(row(trace({ outcome: "exceededCpu", event: noResponse }))).toMatchObject({ clientStatus: 503, errorCode: "cpu_limit_exceeded" });
    expect(row(thrown("Too many subrequests by single Worker invocation."))).toMatchObject({ clientStatus: 503, errorCode: "subrequest_limit_exceeded" });
  });

  it("a memory limit reaches the client as an exception (500); a client that left got nothing", () => {
    expect(row(trace({ outcome: "exceededMemory", event: noResponse }))).toMatchObject({ clientStatus: 500, errorCode: "tenant_exception" });
    expect(row(trace({ outcome: "canceled", event: noResponse }))).toMatchObject({ clientStatus: 0, errorCode: "" });
  });

  it("non-fetch events have no client status", () => {
    expect(row(thrown("cron failed", { event: { cron: "* * * * *", scheduledTime: 1 } }))).toMatchObject({ clientStatus: 0, errorCode: "" });
  });
});

describe("message normalisation", () => {
  const cases: [string, string][] = [
    ["order 123 failed after 4.5 s", "order <n> failed after <n> s"],
    ["path /order/17", "path /order/<n>"],
    ["user 3f2b8c1e-9a4d-4e2f-8b1a-0c9d8e7f6a5b not found", "user <uuid> not found"],
    ["bad pointer 0x7ffee3b1 and hash 9f86d081884c7d65", "bad pointer <hex> and hash <hex>"],
    ['key "session:abc" missing', 'key "<str>" missing'],
    ["can't read 'name' of undefined", "can't read '<str>' of undefined"],
    ["token usr_8f3k2j9x expired", "token <id> expired"],
    ["deadline   exceeded\n  twice", "deadline exceeded twice"],
    ["TypeError: x is not a function", "TypeError: x is not a function"],
  ];
  it.each(cases)("%j → %j", (message, key) => {
    expect(normaliseMessage(message)).toBe(key);
  });

  it("gives messages that differ only in volatile parts one group, and versions their own", () => {
    const a = row(thrown("order 17 failed"));
    const b = row(thrown("order 9001 failed"));
    const c = row(thrown("order 17 failed", { scriptVersion: { id: "v-456" } }));
    const d = row(thrown("user 17 failed"));
    expect(a.errorGroup).toMatch(/^[0-9a-f]{16}$/);
    expect(b.errorGroup).toBe(a.errorGroup);
    expect(c.errorGroup).not.toBe(a.errorGroup);
    expect(d.errorGroup).not.toBe(a.errorGroup);
    expect(a.messageKey).toBe("order <n> failed");
  });

  it("gives ok invocations no group and no excerpt", () => {
    expect(row(trace())).toMatchObject({ errorGroup: "", messageKey: "", logExcerpt: "" });
  });
});

describe("log excerpts", () => {
  const logs = [
    { level: "log", message: ["starting", { id: 1 }] },
    { level: "warn", message: ["two\nlines"] },
    { level: "error", message: "not an array" },
  ];

  it("keeps each entry as `level text`, newlines folded", () => {
    expect(row(thrown("boom", { logs })).logExcerpt).toBe('log starting {"id":1}\nwarn two ⏎ lines\nerror not an array');
  });

  it("cuts the oldest lines first and says how many", () => {
    const lines = Array.from({ length: 10 }, (_, i) => `log line ${i}`).join("\n");
    const cut = cutExcerpt(lines, 60);
    expect(utf8Length(cut)).toBeLessThanOrEqual(60);
    const parsed = parseExcerpt(cut);
    expect(parsed.lines.at(-1)).toEqual({ level: "log", text: "line 9" });
    expect(parsed.cut + parsed.lines.length).toBe(10);
    expect(cut.startsWith(EXCERPT_CUT_PREFIX)).toBe(true);
  });

  it("adds to an earlier cut count when cut again", () => {
    const once = cutExcerpt(Array.from({ length: 100 }, (_, i) => `log ${i}`).join("\n"), 200);
    const twice = cutExcerpt(once, 80);
    const parsed = parseExcerpt(twice);
    expect(parsed.cut + parsed.lines.length).toBe(100);
    expect(parsed.lines.at(-1)?.text).toBe("99");
  });

  it("keeps the start of a newest line too long to fit, marked", () => {
    const cut = cutExcerpt(`log short\nlog ${"x".repeat(500)}`, 100);
    expect(utf8Length(cut)).toBeLessThanOrEqual(100);
    expect(parseExcerpt(cut)).toMatchObject({ cut: 1 });
    expect(cut.endsWith("…")).toBe(true);
  });

  it("fits a 40 KB message and 10 000 log lines within 16 KB, message first, excerpt marked", () => {
    const many = Array.from({ length: 10_000 }, (_, i) => ({ level: "log", message: [`line ${i} é`] }));
    const r = row(thrown("m".repeat(40_000), { logs: many }));
    const point = toDataPoint(r);
    expect(utf8Length(point.blobs.join(""))).toBeLessThanOrEqual(AE_LIMITS.blobBytesTotal);
    const message = point.blobs[BLOBS.exceptionMessage - 1] ?? "";
    const excerpt = parseExcerpt(point.blobs[BLOBS.logExcerpt - 1] ?? "");
    expect(message.length).toBeGreaterThanOrEqual(MESSAGE_MIN_BYTES);
    expect(excerpt.lines.at(-1)?.text).toBe("line 9999 é");
    expect(excerpt.cut + excerpt.lines.length).toBe(10_000);
  });

  it("keeps a short message and a short excerpt whole", () => {
    const r = { ...emptyRow(), exceptionMessage: "boom", logExcerpt: buildExcerpt(logs, 1000) };
    const point = toDataPoint(r);
    expect(point.blobs[BLOBS.exceptionMessage - 1]).toBe("boom");
    expect(point.blobs[BLOBS.logExcerpt - 1]).toBe(r.logExcerpt);
  });
});
