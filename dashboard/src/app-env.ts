/** Hono's typing of this app: the bindings, and what middleware hands to handlers. */
import type { Principal } from "./auth/users.ts";
import type { SqlClientOptions } from "./sql/client.ts";

/** Seams for tests; production uses the global fetch, the clock and real sleeps. */
export interface AppOptions {
  /** Outbound fetch for the SQL API. */
  fetch?: typeof fetch;
  /** Outbound fetch for the Access JWKS. */
  accessFetch?: typeof fetch;
  now?: () => number;
  /** Retry bounds, sleep and a hook that sees every SQL text sent. */
  sql?: Pick<SqlClientOptions, "maxRetries" | "maxRetryWaitMs" | "sleep" | "onQuery" | "timeoutMs">;
}

export interface AppEnv {
  /** The generated bindings (worker-configuration.d.ts, from wrangler.jsonc). */
  Bindings: Env;
  Variables: {
    principal: Principal;
    options: AppOptions;
  };
}
