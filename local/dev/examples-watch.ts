/**
 * Watch mode for the demo tenants: an edit to examples/<name>/index.js is uploaded
 * again through the REST API, as a platform would redeploy a customer's script.
 */
import { watch, type FSWatcher } from "node:fs";
import { DEMO_TENANTS, EXAMPLES_DIR, uploadDemoTenant, type LocalApiClient, type SeedOptions } from "./seed.ts";

const DEBOUNCE_MS = 150;

export function watchExamples(api: LocalApiClient, opts: SeedOptions, log: (line: string) => void): () => void {
  const seeded = DEMO_TENANTS.filter((t) => opts.tenants === undefined || opts.tenants.includes(t.name));
  const timers = new Map<string, ReturnType<typeof setTimeout>>();
  const upload = (name: string): void => {
    timers.delete(name);
    const tenant = seeded.find((t) => t.name === name);
    if (tenant === undefined) return;
    uploadDemoTenant(api, tenant, opts).then(
      () => log(`uploaded examples/${name} again`),
      (error: unknown) => log(`upload of examples/${name} failed: ${error instanceof Error ? error.message : String(error)}`),
    );
  };
  let watcher: FSWatcher | null = null;
  try {
    watcher = watch(EXAMPLES_DIR, { recursive: true }, (_event, file) => {
      const name = file?.split(/[\\/]/)[0];
      if (name === undefined || !file?.endsWith("index.js")) return;
      clearTimeout(timers.get(name));
      timers.set(name, setTimeout(() => upload(name), DEBOUNCE_MS));
    });
  } catch (error) {
    log(`not watching examples/: ${error instanceof Error ? error.message : String(error)}`);
  }
  return () => {
    watcher?.close();
    for (const timer of timers.values()) clearTimeout(timer);
  };
}
