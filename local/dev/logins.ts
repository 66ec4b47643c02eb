/**
 * Dashboard sign-ins for local development: one token per role, plus a reader
 * scoped to one tenant. Kept next to the persisted state (mode 0600) so logins
 * and sessions survive restarts; `--fresh` makes new ones. The Worker only ever
 * receives the tokens' SHA-256 (DASHBOARD_USERS), as in production.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

export type DevRole = "support" | "billing" | "operator";

export interface DevLogin {
  user: string;
  role: DevRole;
  /** A scoped reader sees only this tenant. */
  tenant: string | null;
  token: string;
}

export interface DevCredentials {
  logins: DevLogin[];
  sessionSecret: string;
}

const FILE = "dashboard-logins.json";

const WANTED: readonly Omit<DevLogin, "token">[] = [
  { user: "operator", role: "operator", tenant: null },
  { user: "support", role: "support", tenant: null },
  { user: "billing", role: "billing", tenant: null },
  { user: "hello-support", role: "support", tenant: "hello" },
];

const token = (): string => randomBytes(24).toString("base64url");

function fresh(): DevCredentials {
  return { logins: WANTED.map((w) => ({ ...w, token: token() })), sessionSecret: randomBytes(32).toString("base64url") };
}

function isCredentials(value: unknown): value is DevCredentials {
  if (typeof value !== "object" || value === null || !("logins" in value) || !("sessionSecret" in value)) return false;
  const { logins, sessionSecret } = value;
  return typeof sessionSecret === "string" && Array.isArray(logins) &&
    WANTED.every((w) => logins.some((l: unknown) => typeof l === "object" && l !== null && "user" in l && l.user === w.user && "token" in l && typeof l.token === "string"));
}

/** Loads the logins kept in `stateDir`, or makes (and keeps) new ones; in memory when stateDir is false. */
export async function devCredentials(stateDir: string | false): Promise<DevCredentials> {
  if (stateDir === false) return fresh();
  const path = join(stateDir, FILE);
  try {
    const kept: unknown = JSON.parse(await readFile(path, "utf8"));
    if (isCredentials(kept)) return kept;
  } catch {
    // Missing or unreadable: replaced below.
  }
  const made = fresh();
  await mkdir(stateDir, { recursive: true });
  await writeFile(path, `${JSON.stringify(made, null, 2)}\n`, { mode: 0o600 });
  return made;
}

/** The dashboard's secrets for the local stack (production sets them with `wrangler secret put`). */
export function dashboardSecrets(creds: DevCredentials, apiToken: string): Record<string, string> {
  const users = creds.logins.map((l) => ({
    user: l.user,
    role: l.role,
    ...(l.tenant === null ? {} : { tenant: l.tenant }),
    tokenSha256: createHash("sha256").update(l.token).digest("hex"),
  }));
  return {
    CF_ACCOUNT_ID: "local",
    CF_API_TOKEN: apiToken,
    // The local API also stands in for Workers Observability (local/src/api/telemetry.ts).
    CF_OBSERVABILITY_TOKEN: apiToken,
    // And for the Dispatch Namespace API, so assignments of unknown tenants are refused (dashboard/src/namespace.ts).
    CF_NAMESPACE_TOKEN: apiToken,
    DASHBOARD_USERS: JSON.stringify(users),
    SESSION_SECRET: creds.sessionSecret,
  };
}
