import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

describe("the evaluator's RPC entrypoint", () => {
  it("answers an evaluation run through the Durable Object", async () => {
    const run = await exports.default.evaluateNow();
    expect(run.error).toBeNull();
    expect(Date.parse(run.at)).not.toBeNaN();
    expect(env.STATE).toBeDefined();
  });
});
