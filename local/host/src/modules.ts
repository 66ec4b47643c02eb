/**
 * The modules every tenant is wrapped in, as Worker Loader code. The wrapper's
 * modules (wrapper/*.ts) are real, type-checked modules that the build bundles to
 * JavaScript text (the `text:` imports, local/dev/text-modules.ts); only the
 * tenant's own module names are filled in here, at load time.
 */
import MAIN_SOURCE from "text:./wrapper/main.ts";
import PRELUDE_SOURCE from "text:./wrapper/prelude.ts";
import SERVICE_WORKER_SOURCE from "text:./wrapper/service-worker.ts";
import SW_GLOBALS_SOURCE from "text:./wrapper/sw-globals.ts";
import {
  MAIN_MODULE,
  PRELUDE_MODULE,
  SW_GLOBALS_MODULE,
  SW_SCRIPT_MODULE,
  TENANT_MODULE,
} from "./wrapper/protocol.ts";

/** Relative specifier from the wrapper's folder to a tenant module. */
function fromWrapper(moduleName: string): string {
  return JSON.stringify(`../${moduleName.replace(/^\.\//, "")}`);
}

/**
 * The wrapper's modules for a tenant whose main module (ES modules) or script
 * (service worker) is `tenantMain`, keyed by module name; the main module is
 * MAIN_MODULE.
 */
export function wrapperModules(format: "modules" | "service-worker", tenantMain: string): Record<string, WorkerLoaderModule> {
  const modules: Record<string, WorkerLoaderModule> = {
    [PRELUDE_MODULE]: { js: PRELUDE_SOURCE },
    [MAIN_MODULE]: { js: MAIN_SOURCE },
  };
  if (format === "service-worker") {
    modules[TENANT_MODULE] = { js: SERVICE_WORKER_SOURCE };
    modules[SW_GLOBALS_MODULE] = { js: SW_GLOBALS_SOURCE };
    modules[SW_SCRIPT_MODULE] = { js: `import ${fromWrapper(tenantMain)};\n` };
  } else {
    // A namespace import: a module without a default export fails at fetch() with
    // the handler error, not at load.
    modules[TENANT_MODULE] = { js: `import * as tenant from ${fromWrapper(tenantMain)};\nexport default tenant.default;\n` };
  }
  return modules;
}
