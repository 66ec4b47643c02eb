/**
 * The dispatcher's answer lines → points of kind `dispatcher`: per requested tenant,
 * never counted as invocations, never forged by a tenant, and a malformed line never
 * stops the batch.
 */
import { describe, expect, it } from "vitest";
import { formatAnswerLine, parseAnswerLine, type Answer } from "@tenantscope/core/answer-log";
import { AE_LIMITS, BLOBS, DOUBLES, INVALID_TENANT, UNROUTED_TENANT, type DataPoint } from "@tenantscope/core/schema";
import { handleTail } from "../src/tail.ts";
import { fakeEnv, trace, type TraceJson } from "./fixtures.ts";

const blob = (p: DataPoint, name: keyof typeof BLOBS) => p.blobs[BLOBS[name] - 1];
const dbl = (p: DataPoint, name: keyof typeof DOUBLES) => p.doubles[DOUBLES[name] - 1];

const answer = (a: Partial<Answer>): Answer => ({ tenant: "ghost", status: 404, code: "tenant_not_found", method: "GET", message: 'No tenant named "ghost" is deployed.', ...a });

/** The dispatcher's own trace: no dispatchNamespace, its console lines in logs[]. */
function dispatcherTrace(lines: unknown[]): TraceJson {
  return trace({ scriptName: "tenantscope-dispatcher", dispatchNamespace: undefined, scriptVersion: undefined, logs: lines.map((l) => ({ level: "log", message: [l], timestamp: 1 })) });
}

describe("answer lines", () => {
  it("round-trip through format and parse", () => {
    const a = answer({ tenant: null, status: 503, code: "routing_unavailable" });
    expect(parseAnswerLine(formatAnswerLine(a))).toEqual({ kind: "answer", answer: a });
  });

  const broken: [string, unknown][] = [
    ["not JSON", '{"tenantscope":"answer",'],
    ["a wrong version", '{"tenantscope":"answer","v":2,"tenant":"a","status":404,"code":"x","method":"GET","message":""}'],
    ["a status out of range", '{"tenantscope":"answer","v":1,"tenant":"a","status":99999,"code":"x","method":"GET","message":""}'],
    ["a numeric tenant", '{"tenantscope":"answer","v":1,"tenant":7,"status":404,"code":"x","method":"GET","message":""}'],
    ["a code with quotes", `{"tenantscope":"answer","v":1,"tenant":"a","status":404,"code":"x'; DROP","method":"GET","message":""}`],
    ["a missing message", '{"tenantscope":"answer","v":1,"tenant":"a","status":404,"code":"x","method":"GET"}'],
  ];
  it.each(broken)("reports %s as malformed", (_label, line) => {
    expect(parseAnswerLine(line).kind).toBe("malformed");
  });

  it("ignores every other line and value", () => {
    for (const other of ["hello", '{"tenantscope":"other"}', 42, null, { tenantscope: "answer" }]) expect(parseAnswerLine(other)).toEqual({ kind: "other" });
  });
});

describe("dispatcher traces in the tail", () => {
  it("writes one dispatcher point per answer, per requested tenant, with no invocation", async () => {
    const { env, options } = fakeEnv();
    const lines = [
      formatAnswerLine(answer({})),
      "an unrelated console line",
      formatAnswerLine(answer({ tenant: "frozen", status: 403, code: "tenant_suspended", method: "POST", message: 'Tenant "frozen" is suspended.' })),
      formatAnswerLine(answer({ tenant: "Bad_Name", status: 400, code: "invalid_tenant_name", message: '"Bad_Name" is not a valid tenant name' })),
      formatAnswerLine(answer({ tenant: null, status: 503, code: "routing_unavailable", message: "cannot be looked up" })),
    ];
    const summary = await handleTail([dispatcherTrace(lines), trace()], env, options);
    expect(summary).toMatchObject({ traces: 2, skipped: 1, answers: 4, points: 5, failed: 0 });
    const answers = env.INVOCATIONS.points.filter((p) => blob(p, "pointKind") === "dispatcher");
    expect(answers.map((p) => [p.indexes[0], blob(p, "method"), dbl(p, "clientStatus"), blob(p, "errorCode"), dbl(p, "invocations"), dbl(p, "dispatcherAnswers")])).toEqual([
      ["ghost", "GET", 404, "tenant_not_found", 0, 1],
      ["frozen", "POST", 403, "tenant_suspended", 0, 1],
      [INVALID_TENANT, "GET", 400, "invalid_tenant_name", 0, 1],
      [UNROUTED_TENANT, "GET", 503, "routing_unavailable", 0, 1],
    ]);
    expect(answers.map((p) => blob(p, "messageKey"))).toContain('Tenant "<str>" is suspended.');
    for (const p of answers) expect(blob(p, "errorGroup")).toMatch(/^[0-9a-f]{16}$/);
  });

  it("writes a quota stop as a dispatcher point with its own code, one error group whatever the period", async () => {
    const { env, options } = fakeEnv();
    const stop = (until: string) => answer({ tenant: "acme", status: 429, code: "quota_exceeded", message: `Tenant "acme" has used its quota (rule "cap"); it is served again from "${until}".` });
    await handleTail([dispatcherTrace([formatAnswerLine(stop("2026-12-01T00:00:00.000Z")), formatAnswerLine(stop("2027-01-01T00:00:00.000Z"))])], env, options);
    const points = env.INVOCATIONS.points;
    expect(points.map((p) => [p.indexes[0], blob(p, "pointKind"), dbl(p, "clientStatus"), blob(p, "errorCode"), dbl(p, "invocations")])).toEqual([
      ["acme", "dispatcher", 429, "quota_exceeded", 0],
      ["acme", "dispatcher", 429, "quota_exceeded", 0],
    ]);
    expect(new Set(points.map((p) => blob(p, "errorGroup"))).size).toBe(1);
  });

  it("never takes an answer line from a tenant's trace (a tenant cannot forge one)", async () => {
    const { env, options } = fakeEnv();
    const forged = trace({ logs: [{ level: "log", message: [formatAnswerLine(answer({ tenant: "victim" }))], timestamp: 1 }] });
    const summary = await handleTail([forged], env, options);
    expect(summary).toMatchObject({ answers: 0, points: 1 });
    expect(env.INVOCATIONS.points.map((p) => [p.indexes[0], blob(p, "pointKind")])).toEqual([["hello", "single"]]);
  });

  it("survives malformed lines and odd log shapes, and keeps the good lines of the same trace", async () => {
    const { env, logs, options } = fakeEnv();
    const odd = trace({
      scriptName: "tenantscope-dispatcher", dispatchNamespace: undefined,
      logs: [null, 7, { level: "log" }, { message: { nested: true } }, { message: ['{"tenantscope":"answer" broken'] }, { message: [formatAnswerLine(answer({}))] }],
    });
    const summary = await handleTail([odd, dispatcherTrace([{ not: "a string" }]), { logs: "nope" }], env, options);
    expect(summary).toMatchObject({ failed: 0, answers: 1, points: 1 });
    expect(logs).toEqual(["tenantscope-tail: skipped 1 malformed dispatcher answer line(s) (not JSON)"]);
  });

  it(`bounds a batch of answers and invocations to ${AE_LIMITS.writesPerInvocation} points, never folding the two kinds together`, async () => {
    const { env, options } = fakeEnv();
    const many = Array.from({ length: 300 }, (_, i) => dispatcherTrace([formatAnswerLine(answer({ tenant: `t${i % 7}` }))]));
    const tenants = Array.from({ length: 300 }, () => trace());
    await handleTail([...many, ...tenants], env, options);
    const points = env.INVOCATIONS.points;
    expect(points.length).toBeLessThanOrEqual(AE_LIMITS.writesPerInvocation);
    const sum = (kind: (p: DataPoint) => boolean, name: keyof typeof DOUBLES) => points.filter(kind).reduce((n, p) => n + (dbl(p, name) ?? 0), 0);
    const isAnswer = (p: DataPoint) => blob(p, "pointKind") === "dispatcher";
    expect(sum(isAnswer, "dispatcherAnswers")).toBe(300);
    expect(sum(isAnswer, "invocations")).toBe(0);
    expect(sum((p) => !isAnswer(p), "invocations")).toBe(300);
    expect(sum((p) => !isAnswer(p), "dispatcherAnswers")).toBe(0);
  });
});
