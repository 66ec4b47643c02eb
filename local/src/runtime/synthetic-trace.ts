/**
 * A trace for an invocation whose isolate died with its process (killed past the
 * CPU limit, or crashed): production would still report it (outcome exceededCpu),
 * so the stand-in writes the trace the runtime could not, from what it knows of
 * the call, and relays it like any other.
 */
import type { RunHeader } from "../../host/src/run-protocol.ts";
import { INVOCATION_HEADER } from "../../host/src/wrapper/protocol.ts";
import type { ScriptRecord } from "../store/types.ts";
import { relayTraces } from "../tail/relay.ts";

export interface LostInvocation {
  run: RunHeader;
  script: ScriptRecord;
  request: Request;
  cpuMs: number;
  outcome: "exceededCpu" | "internalError";
}

export async function synthesizeTrace(env: Env, lost: LostInvocation): Promise<void> {
  const headers: Record<string, string> = Object.fromEntries(lost.request.headers);
  // The relay matches the trace to the invocation's measurement by this header.
  headers[INVOCATION_HEADER] = lost.run.id;
  const trace = {
    scriptName: lost.script.name,
    event: { request: { method: lost.request.method, url: lost.request.url, headers, cf: {} } },
    eventTimestamp: Date.now(),
    logs: [],
    exceptions: [],
    diagnosticsChannelEvents: [],
    outcome: lost.outcome,
    executionModel: "stateless",
    truncated: false,
    cpuTime: 0,
    wallTime: 0,
  };
  await relayTraces(env, { namespace: lost.script.namespace, script: lost.script.name }, [trace]);
}
