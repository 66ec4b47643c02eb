/**
 * V8 flags of the tenant processes' workerd. Miniflare takes V8 flags only from
 * `MINIFLARE_WORKERD_V8_FLAGS`, read from this process's environment each time it
 * (re)starts a workerd, so the flag is set here once, for every workerd this process
 * starts: the platform's too, where no code uses it.
 *
 * `--expose-gc-as` gives the tenant host (and the wrapper, for a tenant's isolate) a
 * function to collect between invocations (HOST_PATHS.gc). Without it the
 * per-invocation garbage (request and response wrappers, traces, stubs) survives the
 * minor GCs, since workerd holds it from native code while an invocation runs, and is
 * only collected by a major GC that V8 schedules late: it counts the heap, not the
 * native memory those objects keep, so a process grew about 38 MB a minute at 20 req/s,
 * and the eventual long pause was charged to whichever tenant happened to be running.
 */
import { GC_GLOBAL } from "../../host/src/wrapper/protocol.ts";

export const V8_FLAGS_VARIABLE = "MINIFLARE_WORKERD_V8_FLAGS";
export const EXPOSE_GC_FLAG = `--expose-gc-as=${GC_GLOBAL}`;

/** Adds the flag to the variable, keeping whatever flags the user set there. */
export function ensureTenantV8Flags(env: NodeJS.ProcessEnv = process.env): void {
  const flags = (env[V8_FLAGS_VARIABLE] ?? "").split(" ").filter((f) => f !== "");
  if (!flags.includes(EXPOSE_GC_FLAG)) env[V8_FLAGS_VARIABLE] = [...flags, EXPOSE_GC_FLAG].join(" ");
}
