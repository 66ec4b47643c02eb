/**
 * Seeds the local platform the way a real platform would: through the REST API.
 * Creates the namespace, uploads the demo tenants from examples/, and assigns plans
 * in the plans KV (an assignment that already exists is kept, so an operator's change
 * survives restarts; `--fresh` starts over). A demo tenant is uploaded only when it is
 * missing or its examples/ source changed: each demo upload carries a tag with its
 * source's hash, and a script of that name without the `demo` tag (an upload through
 * the API) is left alone.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { DEFAULT_CUSTOMER_PREFIX, customerTag } from "@tenantscope/core/customers";
import { BUILTIN_PLANS, kvKeys, parsePlanRecord, type PlanLimits } from "@tenantscope/core/plans";
import { auditedAssign, priceBuiltinPlansIfMissing } from "./seed-audit.ts";
import { REPO_ROOT, TAIL_WORKER } from "./options.ts";

export const ACCOUNT = "local";
export const PLANS_NAMESPACE_ID = "tenantscope-plans";
export const EXAMPLES_DIR = resolve(REPO_ROOT, "examples");
export const COMPATIBILITY_DATE = "2026-11-01";

export interface DemoTenant {
  name: string;
  /** Plan written to `tenant:<name>`; null leaves the dispatcher's DEFAULT_PLAN. */
  plan: string | null;
  /** "module" = multipart with main_module; "service-worker" = multipart with body_part. */
  format: "module" | "service-worker";
  /** Gets TARGET_URL = the local API's echo endpoint. */
  needsTarget: boolean;
  /** The customer that owns it (a `customer:<id>` tag); null: its own customer. */
  customer: string | null;
}

export const DEMO_TENANTS: readonly DemoTenant[] = [
  { name: "hello", plan: "free", format: "module", needsTarget: false, customer: "acme" },
  { name: "cpu-burner", plan: "pro", format: "module", needsTarget: false, customer: "globex" },
  { name: "fanout", plan: "free", format: "module", needsTarget: true, customer: "acme" },
  { name: "thrower", plan: "pro", format: "module", needsTarget: false, customer: "globex" },
  { name: "chatty", plan: "enterprise", format: "module", needsTarget: false, customer: null },
  { name: "legacy-sw", plan: null, format: "service-worker", needsTarget: false, customer: null },
];

export class SeedError extends Error {
  override name = "SeedError";
}

interface ApiAnswer {
  status: number;
  text: string;
}

/** A minimal client for the local Cloudflare API stand-in. */
export class LocalApiClient {
  readonly base: string;
  readonly token: string;

  constructor(base: string, token: string) {
    this.base = base.replace(/\/$/, "");
    this.token = token;
  }

  async call(method: string, path: string, init: { body?: RequestInit["body"]; contentType?: string } = {}): Promise<ApiAnswer> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}` };
    if (init.contentType !== undefined) headers["content-type"] = init.contentType;
    const res = await fetch(`${this.base}${path}`, { method, headers, body: init.body ?? null });
    return { status: res.status, text: await res.text() };
  }

  /** Like call(), but a status outside 2xx (and `allow`) becomes a SeedError. */
  async expect(method: string, path: string, init: { body?: RequestInit["body"]; contentType?: string } = {}, allow: number[] = []): Promise<ApiAnswer> {
    const answer = await this.call(method, path, init);
    if ((answer.status >= 200 && answer.status < 300) || allow.includes(answer.status)) return answer;
    throw new SeedError(`${method} ${path} answered ${answer.status}: ${answer.text.slice(0, 500)}`);
  }
}

export const apiPaths = {
  namespaces: () => `/client/v4/accounts/${ACCOUNT}/workers/dispatch/namespaces`,
  script: (ns: string, name: string) =>
    `/client/v4/accounts/${ACCOUNT}/workers/dispatch/namespaces/${encodeURIComponent(ns)}/scripts/${encodeURIComponent(name)}`,
  kvValue: (key: string) =>
    `/client/v4/accounts/${ACCOUNT}/storage/kv/namespaces/${PLANS_NAMESPACE_ID}/values/${encodeURIComponent(key)}`,
};

export async function ensureNamespace(api: LocalApiClient, namespace: string): Promise<"created" | "existed"> {
  const answer = await api.expect("POST", apiPaths.namespaces(), {
    body: JSON.stringify({ name: namespace }),
    contentType: "application/json",
  }, [400, 409]);
  if (answer.status < 300) return "created";
  if (answer.status === 409 || /already exists/i.test(answer.text)) return "existed";
  throw new SeedError(`creating namespace ${namespace} answered ${answer.status}: ${answer.text.slice(0, 500)}`);
}

export interface UploadOptions {
  namespace: string;
  name: string;
  source: string;
  format: DemoTenant["format"];
  plainText?: Record<string, string>;
  tags?: string[];
  /** Services that receive the script's traces (production: `tail_consumers`). */
  tailConsumers?: string[];
}

/**
 * PUT a script as platforms do: multipart with metadata, `main_module` for modules
 * or `body_part` for service-worker syntax, so both formats carry tail consumers.
 */
export async function uploadScript(api: LocalApiClient, opts: UploadOptions): Promise<string> {
  const part = opts.format === "service-worker" ? "script" : "index.js";
  const metadata = {
    ...(opts.format === "service-worker" ? { body_part: part } : { main_module: part }),
    compatibility_date: COMPATIBILITY_DATE,
    bindings: Object.entries(opts.plainText ?? {}).map(([name, text]) => ({ type: "plain_text", name, text })),
    tags: opts.tags ?? [],
    tail_consumers: (opts.tailConsumers ?? []).map((service) => ({ service })),
  };
  const type = opts.format === "service-worker" ? "application/javascript" : "application/javascript+module";
  const form = new FormData();
  form.append("metadata", new Blob([JSON.stringify(metadata)], { type: "application/json" }));
  form.append(part, new File([opts.source], part, { type }));
  const answer = await api.expect("PUT", apiPaths.script(opts.namespace, opts.name), { body: form });
  return scriptOf(answer.text).etag;
}

export type PlanSource = "assigned" | "kept" | "default";

/** uploaded: it was missing; updated: its examples/ source changed; unchanged; kept: not a demo upload (the API's). */
export type UploadState = "uploaded" | "updated" | "unchanged" | "kept";

const DEMO_TAG = "demo";
const SOURCE_TAG_PREFIX = "demo-source:";
/** The version the seed uploaded (its etag). */
const ETAG_TAG_PREFIX = "demo-etag:";

/** Writes `tenant:<name>` = {"plan": plan}, replacing any assignment, through the audit log. */
export async function assignPlan(api: LocalApiClient, tenant: string, plan: string): Promise<void> {
  await auditedAssign(api, tenant, plan);
}

/** Writes `tenant:<name>` = {"plan": plan} unless an assignment exists; returns what applies. */
export async function assignPlanIfMissing(api: LocalApiClient, tenant: string, plan: string): Promise<{ plan: string; source: PlanSource }> {
  const path = apiPaths.kvValue(kvKeys.tenant(tenant));
  const existing = await api.expect("GET", path, {}, [404]);
  if (existing.status !== 404) {
    const kept = parsePlan(existing.text);
    if (kept !== null) return { plan: kept, source: "kept" };
  }
  await assignPlan(api, tenant, plan);
  return { plan, source: "assigned" };
}

function parsePlan(text: string): string | null {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === "object" && value !== null && "plan" in value && typeof value.plan === "string") {
      return value.plan;
    }
  } catch {
    // Not a usable record: the seed overwrites it with the demo assignment.
  }
  return null;
}

export interface SeededTenant {
  name: string;
  upload: UploadState;
  plan: string;
  planSource: PlanSource;
  /** The plan's limits as KV or the built-ins define them; null for an unknown plan. */
  limits: PlanLimits | null;
}

export interface SeedResult {
  namespace: string;
  namespaceState: "created" | "existed";
  tenants: SeededTenant[];
}

export interface SeedOptions {
  namespace: string;
  /** Only these demo tenants (default: all of DEMO_TENANTS). */
  tenants?: readonly string[];
  /** Where the fanout tenant sends its subrequests. */
  targetUrl: string;
  /** The dispatcher's DEFAULT_PLAN, reported for tenants without an assignment. */
  defaultPlan: string;
}

export async function readExample(name: string): Promise<string> {
  return readFile(resolve(EXAMPLES_DIR, name, "index.js"), "utf8");
}

/** A `plan:<name>` record in KV overrides the built-in plan of that name. */
async function limitsOf(api: LocalApiClient, plan: string): Promise<PlanLimits | null> {
  const answer = await api.expect("GET", apiPaths.kvValue(kvKeys.plan(plan)), {}, [404]);
  if (answer.status !== 404) {
    const parsed = parsePlanRecord(answer.text);
    if (parsed.ok) return parsed.value;
  }
  return BUILTIN_PLANS[plan] ?? null;
}

async function demoUpload(tenant: DemoTenant, opts: SeedOptions): Promise<UploadOptions> {
  const upload: UploadOptions = {
    namespace: opts.namespace,
    name: tenant.name,
    source: await readExample(tenant.name),
    format: tenant.format,
    plainText: tenant.needsTarget ? { TARGET_URL: opts.targetUrl } : {},
    // The tail's default prefix (the dev stack sets no CUSTOMER_TAG_PREFIX), so billing groups the demo by customer.
    tags: [DEMO_TAG, ...(tenant.customer === null ? [] : [customerTag(DEFAULT_CUSTOMER_PREFIX, tenant.customer)])],
    tailConsumers: [TAIL_WORKER],
  };
  // Everything that goes into the upload: a new port (TARGET_URL) is a change too.
  const hash = createHash("sha256").update(JSON.stringify([upload, COMPATIBILITY_DATE])).digest("hex").slice(0, 16);
  return { ...upload, tags: [...(upload.tags ?? []), `${SOURCE_TAG_PREFIX}${hash}`] };
}

/**
 * Uploads one demo tenant's current examples/<name>/index.js, then tags the script
 * with the version it made: an upload without tags keeps a script's tags, so the demo
 * tags alone would not tell the seed's version from one a user uploaded over it.
 */
export async function uploadDemoTenant(api: LocalApiClient, tenant: DemoTenant, opts: SeedOptions): Promise<void> {
  await uploadTagged(api, await demoUpload(tenant, opts));
}

async function uploadTagged(api: LocalApiClient, upload: UploadOptions): Promise<void> {
  const etag = await uploadScript(api, upload);
  await api.expect("PUT", `${apiPaths.script(upload.namespace, upload.name)}/tags/${encodeURIComponent(`${ETAG_TAG_PREFIX}${etag}`)}`);
}

/** Uploads the demo tenant unless what runs under its name is current, or not the seed's upload. */
async function syncDemoTenant(api: LocalApiClient, tenant: DemoTenant, opts: SeedOptions): Promise<UploadState> {
  const upload = await demoUpload(tenant, opts);
  const existing = await api.expect("GET", apiPaths.script(opts.namespace, tenant.name), {}, [404]);
  if (existing.status !== 404) {
    const { tags, etag } = scriptOf(existing.text);
    if (!tags.includes(DEMO_TAG)) return "kept";
    // Seeded before versions were tagged: the demo tags alone say it is ours.
    const versioned = tags.some((t) => t.startsWith(ETAG_TAG_PREFIX));
    if (versioned && !tags.includes(`${ETAG_TAG_PREFIX}${etag}`)) return "kept";
    if (versioned && upload.tags?.every((t) => tags.includes(t)) === true) return "unchanged";
  }
  await uploadTagged(api, upload);
  return existing.status === 404 ? "uploaded" : "updated";
}

/** The tags and etag in an upload's or a script's answer (an upload's result is the script itself). */
function scriptOf(text: string): { tags: string[]; etag: string } {
  try {
    const body: unknown = JSON.parse(text);
    if (typeof body === "object" && body !== null && "result" in body && typeof body.result === "object" && body.result !== null) {
      const result = body.result as { script?: unknown; tags?: unknown; etag?: unknown };
      const script = (typeof result.script === "object" && result.script !== null ? result.script : result) as { tags?: unknown; etag?: unknown };
      const tags = Array.isArray(script.tags) ? script.tags.filter((t): t is string => typeof t === "string") : [];
      return { tags, etag: typeof script.etag === "string" ? script.etag : "" };
    }
  } catch {
    // Not an envelope: treat as untagged, so nothing is overwritten.
  }
  return { tags: [], etag: "" };
}

async function seedTenant(api: LocalApiClient, tenant: DemoTenant, opts: SeedOptions): Promise<Omit<SeededTenant, "limits">> {
  const upload = await syncDemoTenant(api, tenant, opts);
  if (tenant.plan === null) return { name: tenant.name, upload, plan: opts.defaultPlan, planSource: "default" };
  const assigned = await assignPlanIfMissing(api, tenant.name, tenant.plan);
  return { name: tenant.name, upload, plan: assigned.plan, planSource: assigned.source };
}

export async function seedDemo(api: LocalApiClient, opts: SeedOptions): Promise<SeedResult> {
  const wanted = opts.tenants === undefined ? DEMO_TENANTS : DEMO_TENANTS.filter((t) => opts.tenants?.includes(t.name));
  const unknown = (opts.tenants ?? []).filter((name) => !DEMO_TENANTS.some((t) => t.name === name));
  if (unknown.length > 0) throw new SeedError(`unknown demo tenant(s): ${unknown.join(", ")}`);
  const namespaceState = await ensureNamespace(api, opts.namespace);
  await priceBuiltinPlansIfMissing(api);
  const seeded = await Promise.all(wanted.map((tenant) => seedTenant(api, tenant, opts)));
  const plans = [...new Set(seeded.map((t) => t.plan))];
  const limits = new Map(await Promise.all(plans.map(async (plan) => [plan, await limitsOf(api, plan)] as const)));
  const tenants = seeded.map((t) => ({ ...t, limits: limits.get(t.plan) ?? null }));
  return { namespace: opts.namespace, namespaceState, tenants };
}
