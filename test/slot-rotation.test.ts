/**
 * Between invocations the supervisor collects, besides the isolate that just ran, one
 * other loaded isolate in turn (host-client.ts collectIfDue): every isolate's garbage
 * is collected in time, not only that of whichever ran last, so V8's own major GC does
 * not come inside another tenant's invocation.
 */
import { describe, expect, it } from "vitest";
import { Slot } from "../local/dev/tenants/slot.ts";
import type { TenantProcess } from "../local/dev/tenants/process.ts";

function slotWith(isolates: readonly string[]): { slot: Slot; process: { generation: number } } {
  const process = { generation: 1 };
  const slot = new Slot(process as unknown as TenantProcess);
  for (const isolate of isolates) {
    slot.markWarm(isolate, 1);
    slot.rememberRun(isolate, `{"isolate":"${isolate}"}`);
  }
  return { slot, process };
}

describe("Slot.nextToCollect", () => {
  it("visits every other loaded isolate in turn, never the one just collected", () => {
    const { slot } = slotWith(["a", "b", "c", "d"]);
    const seen = Array.from({ length: 6 }, () => slot.nextToCollect("a"));
    expect(seen).not.toContain('{"isolate":"a"}');
    expect(new Set(seen)).toEqual(new Set(['{"isolate":"b"}', '{"isolate":"c"}', '{"isolate":"d"}']));
  });

  it("forgets isolates of a process that restarted (they are no longer loaded)", () => {
    const { slot, process } = slotWith(["a", "b"]);
    process.generation = 2;
    expect(slot.nextToCollect("a")).toBeUndefined();
    slot.markWarm("c", 2);
    slot.rememberRun("c", '{"isolate":"c"}');
    expect(slot.nextToCollect("a")).toBe('{"isolate":"c"}');
  });

  it("has nothing to add when only the isolate that just ran is loaded", () => {
    const { slot } = slotWith(["a"]);
    expect(slot.nextToCollect("a")).toBeUndefined();
  });
});
