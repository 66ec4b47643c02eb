/**
 * Runs in Node before the workerd tests: starts the real local Analytics Engine stand-in
 * (local/dev/stack.ts, 127.0.0.1 only, in-memory state), imports ae-fixture.ts through the
 * local-only `_import` route, and provides the SQL URL, token and anchor to the tests.
 */
import type { TestProject } from "vitest/node";
import { startStack } from "../../local/dev/stack.ts";
import { importLines } from "./ae-fixture.ts";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stack = await startStack({ seed: false, port: 0, apiPort: 0, persistTo: false, log: () => {} });
  try {
    // Half past the last whole hour: an hour-long quota period then began 30 minutes before it.
    const anchorMs = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 30 * 60_000;
    const res = await fetch(`${stack.urls.api}/client/v4/accounts/local/analytics_engine/_import?dataset=tenant_invocations`, {
      method: "POST",
      headers: { authorization: `Bearer ${stack.apiToken}` },
      body: importLines(anchorMs),
    });
    if (!res.ok) throw new Error(`importing the fixture failed: ${res.status} ${await res.text()}`);
    project.provide("aeSqlUrl", `${stack.urls.api}/client/v4/accounts/{account}/analytics_engine/sql`);
    project.provide("aeToken", stack.apiToken);
    project.provide("anchorMs", anchorMs);
  } catch (error) {
    // Without this the stand-in keeps running and vitest never exits.
    await stack.dispose();
    throw error;
  }
  return () => stack.dispose();
}
