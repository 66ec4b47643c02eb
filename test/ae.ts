/**
 * The local Analytics Engine as the end-to-end tests read it: the SQL API over
 * HTTP, and a bounded wait for traces, which land after their invocations end.
 */
import { DATASET, sampledCount } from "@tenantscope/core/schema";
import type { Stack } from "../local/dev/stack.ts";

export interface SqlAnswer<Row> {
  meta: { name: string; type: string }[];
  data: Row[];
  rows: number;
}

export async function sql<Row>(stack: Stack, text: string): Promise<SqlAnswer<Row>> {
  const res = await fetch(`${stack.urls.api}/client/v4/accounts/local/analytics_engine/sql`, {
    method: "POST",
    body: text,
    headers: { authorization: `Bearer ${stack.apiToken}` },
  });
  if (res.status !== 200) throw new Error(`SQL answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as SqlAnswer<Row>;
}

/** Sampling-corrected invocations stored so far; 0 until the first point creates the dataset. */
export async function storedInvocations(stack: Stack): Promise<number> {
  try {
    const answer = await sql<{ n: number }>(stack, `SELECT ${sampledCount()} AS n FROM ${DATASET}`);
    return Number(answer.data[0]?.n ?? 0);
  } catch {
    return 0;
  }
}

/** Polls until at least `count` invocations are stored or `timeoutMs` passes; returns what is stored. */
export async function waitForInvocations(stack: Stack, count: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const stored = await storedInvocations(stack);
    if (stored >= count || Date.now() > deadline) return stored;
    await new Promise((r) => setTimeout(r, 50));
  }
}
