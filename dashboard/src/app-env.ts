/** Hono's typing of this app: the bindings, and what middleware hands to handlers. */
import type { Principal } from "./auth/users.ts";
import type { SqlClientOptions } from "@tenantscope/core/sql-client";

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

/** What one request's SQL round trips did: for the Server-Timing header and the empty state. */
export interface SqlStats {
  queries: number;
  ms: number;
  /** Some query found the dataset never written to (a fresh deploy or stack). */
  datasetMissing: boolean;
}

export interface AppEnv {
  /** The generated bindings (worker-configuration.d.ts, from wrangler.jsonc). */
  Bindings: Env;
  Variables: {
    principal: Principal;
    options: AppOptions;
    sqlStats: SqlStats;
  };
}
