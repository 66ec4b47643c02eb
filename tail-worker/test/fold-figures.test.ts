/**
 * How often folding happens, measured: batches of N traces from 20 tenants with a mix
 * of outcomes and statuses, through handleTail (so at the limit the tail really uses,
 * AE_LIMITS.writesPerInvocation = 250), and through foldToLimit at the former limit of
 * 25 for comparison. Figures: tail-worker/SCHEMA.md, "Folded points".
 */
import { describe, expect, it } from "vitest";
import { AE_LIMITS, BLOBS, DOUBLES, type DataPoint } from "@tenantscope/core/schema";
import { foldToLimit } from "../src/fold.ts";
import { handleTail } from "../src/tail.ts";
import { traceToRow } from "../src/trace.ts";
import { fakeEnv, fetchEvent, trace, type TraceJson } from "./fixtures.ts";

const TENANTS = 20;

/** Trace i of a batch: tenant i mod 20; every 10th an exception (500), every 25th over its CPU. */
function mixed(i: number): TraceJson {
  const outcome = i % 25 === 0 ? "exceededCpu" : i % 10 === 0 ? "exception" : "ok";
  const status = outcome === "ok" ? (i % 7 === 0 ? 404 : 200) : 500;
  return trace({
    scriptName: `tenant-${String(i % TENANTS).padStart(2, "0")}`,
    outcome,
    cpuTime: 1 + (i % 13),
    event: fetchEvent({ status, plan: "pro", limits: '{"cpuMs":50,"subRequests":100}' }),
  });
}

interface Figures {
  points: number;
  foldedPoints: number;
  foldedTraces: number;
}

function figures(points: readonly { folded: boolean; invocations: number }[]): Figures {
  const folded = points.filter((p) => p.folded);
  return { points: points.length, foldedPoints: folded.length, foldedTraces: folded.reduce((n, p) => n + p.invocations, 0) };
}

const fromPoint = (p: DataPoint) => ({ folded: p.blobs[BLOBS.pointKind - 1] === "folded", invocations: p.doubles[DOUBLES.invocations - 1] ?? 0 });

describe("folding at 250 writes per invocation", () => {
  it("the tail folds at Cloudflare's current limit", () => {
    expect(AE_LIMITS.writesPerInvocation).toBe(250);
  });

  // [N, at 250 (the tail): points, folded points, traces folded; at 25 (before): the same]
  it.each([
    [10, { points: 10, foldedPoints: 0, foldedTraces: 0 }, { points: 10, foldedPoints: 0, foldedTraces: 0 }],
    [100, { points: 100, foldedPoints: 0, foldedTraces: 0 }, { points: 25, foldedPoints: 23, foldedTraces: 98 }],
    [250, { points: 250, foldedPoints: 0, foldedTraces: 0 }, { points: 25, foldedPoints: 24, foldedTraces: 249 }],
    [300, { points: 250, foldedPoints: 34, foldedTraces: 84 }, { points: 25, foldedPoints: 24, foldedTraces: 299 }],
    [1000, { points: 250, foldedPoints: 42, foldedTraces: 792 }, { points: 25, foldedPoints: 24, foldedTraces: 999 }],
  ])("a batch of %i traces", async (n, now, before) => {
    const batch = Array.from({ length: n }, (_, i) => mixed(i));
    const { env, options } = fakeEnv();
    const summary = await handleTail(batch, env, options);
    expect(summary.traces).toBe(n);
    const written = env.INVOCATIONS.points.map(fromPoint);
    expect(figures(written)).toEqual(now);
    // Nothing is lost either way: the points stand for every trace.
    expect(written.reduce((s, p) => s + p.invocations, 0)).toBe(n);

    const rows = batch.map((t) => traceToRow(t, () => undefined)).flatMap((r) => (r.kind === "tenant" ? [r.row] : []));
    const old = foldToLimit(rows, 25).map((r) => ({ folded: r.pointKind === "folded", invocations: r.invocations }));
    expect(figures(old)).toEqual(before);
  });
});
