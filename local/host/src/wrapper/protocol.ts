/**
 * What the stand-in and the modules it wraps every tenant in agree on: module
 * names in the Worker Loader code, and the headers and entrypoint between them.
 * Imported by both sides (the wrapper modules are bundled with it).
 */

/** Module names under this folder are reserved in uploads. */
export const WRAPPER_DIR = "__tenantscope";
export const PRELUDE_MODULE = `${WRAPPER_DIR}/prelude.js`;
export const MAIN_MODULE = `${WRAPPER_DIR}/main.js`;
/** What the main module calls: the tenant's main module, or the service-worker shim. */
export const TENANT_MODULE = `${WRAPPER_DIR}/tenant.js`;
/** Service-worker tenants: the globals the script sees, and the script itself. */
export const SW_GLOBALS_MODULE = `${WRAPPER_DIR}/sw-globals.js`;
export const SW_SCRIPT_MODULE = `${WRAPPER_DIR}/sw-script.js`;

/** The invocation id: on the request to the tenant (removed before it sees it) and its subrequests. */
export const INVOCATION_HEADER = "x-tenantscope-invocation";
/** The stand-in's warm-up call (not a tenant invocation). */
export const PROBE_ENTRYPOINT = "TenantscopeProbe";

/**
 * The tenant processes' workerd runs V8 with `--expose-gc-as=<this>` (local/dev/tenants/
 * v8-flags.ts), so the host can collect its own isolate between invocations. The flag
 * is process-wide: the prelude hides the function from tenants, as production has none.
 */
export const GC_GLOBAL = "__tenantscope_gc";

/** Per-invocation state that the prelude keeps in an AsyncLocalStorage. */
export interface InvocationStore {
  id: string;
}
