/**
 * The Worker's own surface: the cron trigger and the AlertsService methods the dashboard
 * calls over its ALERTS binding, answered by the one AlertState object.
 */
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

describe("the evaluator's entrypoint", () => {
  it("runs one evaluation per cron event and answers the runs over RPC", async () => {
    const before = (await exports.default.runs(10)).length;
    // The cron handler, called as the runtime would (it takes no arguments it needs).
    await exports.default.scheduled();
    const now = await exports.default.evaluateNow();
    expect(now.error).toBeNull();
    const runs = await exports.default.runs(10);
    expect(runs).toHaveLength(before + 2);
    expect(runs[0]).toEqual(now);
    expect(await exports.default.states()).toEqual([]);
    expect(await exports.default.history(5)).toEqual([]);
    expect(await exports.default.deliveries(5)).toEqual([]);
  });
});
