/**
 * Uploads many tenants with a few requests in flight, a progress line per
 * tenant, and retries (429/5xx, with backoff) done by the API client. One
 * tenant's failure does not stop the others; the summary names every failure.
 */
import { paths, type ApiClient } from "./api.ts";
import type { Output } from "./command.ts";
import { CliError } from "./errors.ts";
import type { PlansStore } from "./kv.ts";
import { readScript, uploadForm, type TenantDir, type UploadSettings } from "./upload.ts";

export interface UploadResult {
  name: string;
  status: number;
  etag: string;
}

export async function uploadOne(api: ApiClient, namespace: string, name: string, path: string, settings: UploadSettings): Promise<UploadResult> {
  const form = uploadForm(await readScript(path), settings);
  const res = await api.call<{ etag: string }>("PUT", paths.script(namespace, name), { body: form });
  return { name, status: res.status, etag: res.result.etag };
}

/** Writes `tenant:<name>` with the plan, keeping a suspension and a quota stop in place. */
export async function assignPlan(plans: PlansStore, tenant: string, plan: string): Promise<void> {
  const current = await plans.assignment(tenant);
  await plans.setAssignment(tenant, { plan, suspended: current?.suspended ?? false, ...(current?.stop === undefined ? {} : { stop: current.stop }) });
}

export interface BulkOptions {
  namespace: string;
  settings: UploadSettings;
  plan: string | null;
  plans: PlansStore | null;
  concurrency: number;
}

export async function uploadMany(api: ApiClient, out: Output, tenants: TenantDir[], opts: BulkOptions): Promise<UploadResult[]> {
  const done: UploadResult[] = [];
  const failed: { name: string; message: string }[] = [];
  let next = 0;
  let finished = 0;
  const width = String(tenants.length).length;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < tenants.length; i = next++) {
      const tenant = tenants[i];
      if (tenant === undefined) continue;
      try {
        const result = await uploadOne(api, opts.namespace, tenant.name, tenant.path, opts.settings);
        if (opts.plan !== null && opts.plans !== null) await assignPlan(opts.plans, tenant.name, opts.plan);
        done.push(result);
        finished++;
        out.err(`[${String(finished).padStart(width)}/${tenants.length}] ${tenant.name} ${result.status === 201 ? "created" : "updated"}`);
      } catch (error) {
        finished++;
        const message = error instanceof Error ? error.message : String(error);
        failed.push({ name: tenant.name, message });
        out.err(`[${String(finished).padStart(width)}/${tenants.length}] ${tenant.name} FAILED: ${message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency, tenants.length) }, worker));
  if (failed.length > 0) {
    throw new CliError(`${failed.length} of ${tenants.length} uploads failed: ${failed.map((f) => `${f.name} (${f.message})`).join("; ")}`);
  }
  return done.sort((a, b) => a.name.localeCompare(b.name));
}
