/**
 * What `getEntrypoint()` gets for one invocation (Worker Loader, WorkerStubEntrypointOptions):
 * - props: the dispatcher's `args.props`, which the tenant sees as `ctx.props`, as in
 *   production (the invocation id travels in INVOCATION_HEADER, not in props);
 * - limits: the plan's `{ cpuMs, subRequests }`. workerd 1.20261117 accepts and ignores
 *   them (the supervisor and the gate enforce them); the day it enforces them, the
 *   loader applies them per invocation. They go here rather than in the loader code:
 *   the code is loaded once per script version and shared by every plan's invocations,
 *   and where both are set the lower limit wins (Dynamic Workers, "Custom limits").
 */
import type { JsonValue } from "../../src/store/types.ts";
import type { RunHeader } from "./run-protocol.ts";

export interface EntrypointOptions {
  props?: JsonValue;
  limits?: { cpuMs?: number; subRequests?: number };
}

export function entrypointOptions(run: RunHeader): EntrypointOptions {
  const limits = {
    ...(run.cpuMs === undefined ? {} : { cpuMs: run.cpuMs }),
    ...(run.subRequests === undefined ? {} : { subRequests: run.subRequests }),
  };
  return {
    ...(run.props === undefined ? {} : { props: run.props }),
    ...(Object.keys(limits).length === 0 ? {} : { limits }),
  };
}
