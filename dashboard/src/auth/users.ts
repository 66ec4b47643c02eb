/**
 * Who may read what. DASHBOARD_USERS (a secret) is a JSON array of
 * `{ user, role, tenant?, tokenSha256?, email? }`: tokens are stored only as their
 * SHA-256 and compared in constant time (@tenantscope/core/compare); `email` matches a Cloudflare Access identity.
 */
import { isTenantName } from "@tenantscope/core/names";
import { isRecord } from "@tenantscope/core/result";
import { DashboardError } from "../errors.ts";
import { equalDigests, sha256 } from "@tenantscope/core/compare";

export const ROLES = ["support", "billing", "operator"] as const;
export type Role = (typeof ROLES)[number];

export type Page = "overview" | "tenant" | "errors" | "billing" | "plans" | "alerts";

/** What each role may open; edits additionally need `operator` (see middleware.ts). */
export const ROLE_PAGES: Readonly<Record<Role, readonly Page[]>> = {
  support: ["overview", "tenant", "errors"],
  billing: ["overview", "billing"],
  operator: ["overview", "tenant", "errors", "billing", "plans", "alerts"],
};

export interface UserEntry {
  user: string;
  role: Role;
  /** A scoped reader sees only this tenant, on every page and API. */
  tenant: string | null;
  tokenSha256: Uint8Array | null;
  email: string | null;
}

/** The signed-in reader, however they authenticated. */
export interface Principal {
  user: string;
  role: Role;
  tenant: string | null;
  via: "session" | "bearer" | "access";
  /** The token that state-changing requests must echo; null for bearer calls (no ambient credential). */
  csrf: string | null;
}

const USER_NAME = /^[A-Za-z0-9@._+-]{1,128}$/;
const HEX64 = /^[0-9a-f]{64}$/;

function invalid(index: number, message: string): DashboardError {
  // Never echo the entry: it may hold a hash or an address.
  return new DashboardError("misconfigured", `The dashboard is misconfigured: DASHBOARD_USERS entry ${index + 1}: ${message}`);
}

function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export function parseUsers(text: string | undefined): UserEntry[] {
  if (text === undefined || text.trim() === "") {
    throw new DashboardError("misconfigured", "The dashboard is misconfigured: secret DASHBOARD_USERS is not set, so nobody can sign in.");
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new DashboardError("misconfigured", "The dashboard is misconfigured: secret DASHBOARD_USERS is not valid JSON.");
  }
  if (!Array.isArray(json)) throw new DashboardError("misconfigured", "The dashboard is misconfigured: DASHBOARD_USERS must be a JSON array.");
  return json.map((raw: unknown, i): UserEntry => {
    if (!isRecord(raw)) throw invalid(i, "must be an object.");
    for (const key of Object.keys(raw)) {
      if (!["user", "role", "tenant", "tokenSha256", "email"].includes(key)) throw invalid(i, `unknown field "${key}".`);
    }
    if (typeof raw.user !== "string" || !USER_NAME.test(raw.user)) throw invalid(i, "user must be 1-128 letters, digits or @._+-.");
    const role = raw.role;
    if (typeof role !== "string" || !(ROLES as readonly string[]).includes(role)) throw invalid(i, "role must be support, billing or operator.");
    if (raw.tenant !== undefined && (typeof raw.tenant !== "string" || !isTenantName(raw.tenant))) throw invalid(i, "tenant must be a tenant name.");
    if (raw.tokenSha256 !== undefined && (typeof raw.tokenSha256 !== "string" || !HEX64.test(raw.tokenSha256))) {
      throw invalid(i, "tokenSha256 must be 64 lower-case hex digits (the SHA-256 of the token).");
    }
    if (raw.email !== undefined && (typeof raw.email !== "string" || !raw.email.includes("@"))) throw invalid(i, "email must be an e-mail address.");
    if (raw.tokenSha256 === undefined && raw.email === undefined) throw invalid(i, "needs tokenSha256 or email (or both).");
    return {
      user: raw.user,
      role: role as Role,
      tenant: typeof raw.tenant === "string" ? raw.tenant : null,
      tokenSha256: typeof raw.tokenSha256 === "string" ? hexToBytes(raw.tokenSha256) : null,
      email: typeof raw.email === "string" ? raw.email.toLowerCase() : null,
    };
  });
}

/** Parsed once per secret value and isolate; a new deploy with new secrets starts a new isolate anyway. */
let cached: { text: string; users: UserEntry[] } | null = null;

export function usersOf(text: string | undefined): UserEntry[] {
  if (cached !== null && cached.text === text) return cached.users;
  const users = parseUsers(text);
  if (text !== undefined) cached = { text, users };
  return users;
}

export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * The entry whose token hashes to `presented`'s hash. Every entry is compared, in
 * constant time, whatever matches first: timing says nothing about which hashes exist.
 */
export async function findByToken(users: readonly UserEntry[], presented: string): Promise<UserEntry | null> {
  const hash = await sha256(presented);
  let found: UserEntry | null = null;
  for (const entry of users) {
    if (entry.tokenSha256 === null) continue;
    if (equalDigests(entry.tokenSha256, hash) && found === null) found = entry;
  }
  return found;
}

export function findByEmail(users: readonly UserEntry[], email: string): UserEntry | null {
  const wanted = email.toLowerCase();
  return users.find((u) => u.email === wanted) ?? null;
}

/** A short, non-secret id of an entry's token: sessions name it so a rotated token ends them. */
export function tokenKeyId(entry: UserEntry): string {
  return entry.tokenSha256 === null ? "" : toHex(entry.tokenSha256).slice(0, 16);
}

export function mayOpen(principal: Pick<Principal, "role">, page: Page): boolean {
  return ROLE_PAGES[principal.role].includes(page);
}
