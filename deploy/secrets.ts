/**
 * Secrets for a Worker's `secrets.required`, taken from the environment under their
 * own names and handed to `wrangler deploy --secrets-file`.
 *
 * Why at deploy time and not only `wrangler secret put` afterwards: wrangler 4.164
 * refuses the first deploy of a Worker whose required secrets are not set, and
 * `secret put` needs the Worker to exist. Secrets not in the environment are left
 * as they are on Cloudflare (wrangler binds them as "inherit").
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";

export interface SecretsPlan {
  /** Names (never values) supplied from the environment. */
  supplied: string[];
  /** Names that will keep their value on Cloudflare, or fail a first deploy. */
  inherited: string[];
  values: Record<string, string>;
}

/** CF_ACCOUNT_ID is the deploy account unless set on its own. */
const FALLBACKS: Readonly<Record<string, string>> = { CF_ACCOUNT_ID: "CLOUDFLARE_ACCOUNT_ID" };

export function planSecrets(required: readonly string[], env: NodeJS.ProcessEnv): SecretsPlan {
  const plan: SecretsPlan = { supplied: [], inherited: [], values: {} };
  for (const name of required) {
    const fallback = FALLBACKS[name];
    const value = env[name] ?? (fallback === undefined ? undefined : env[fallback]);
    if (value !== undefined && value.trim() !== "") {
      plan.values[name] = value;
      plan.supplied.push(name);
    } else {
      plan.inherited.push(name);
    }
  }
  return plan;
}

/**
 * Writes the values as JSON (not dotenv, which would expand `$` inside a random
 * SESSION_SECRET) into a private temp dir; the caller removes the dir.
 */
export function writeSecretsFile(dir: string, name: string, plan: SecretsPlan): string {
  const path = join(dir, `${name}.secrets.json`);
  writeFileSync(path, JSON.stringify(plan.values), { mode: 0o600 });
  return path;
}
