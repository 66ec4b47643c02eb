/**
 * Test-only declarations, shared by the workerd tests (test/tsconfig.json) and the
 * Node side that provides the values (tsconfig.node.json).
 *
 * Bindings: the test config (vitest.config.ts) binds only names that the production
 * config declares (the secrets and AE_SQL_URL), so the generated `Env` already types
 * them. The one merged into `Env` here is the optional secret
 * CF_NAMESPACE_TOKEN (not in `secrets.required`, so not generated), which guard.test.ts sets.
 */
import "vitest";

declare global {
  interface Env {
    CF_NAMESPACE_TOKEN?: string;
  }
}

declare module "vitest" {
  /** What global-setup.ts provides and the tests read with `inject()`. */
  export interface ProvidedContext {
    aeSqlUrl: string;
    aeToken: string;
    anchorMs: number;
    /** SHA-256 (hex) of node_modules' chart.umd.min.js: the served copy must equal it. */
    chartjsSha256: string;
    /** The same for chartjs-plugin-zoom.min.js. */
    zoomSha256: string;
    /** The bundled fake evaluator (fake-alerts.ts), served as tenantscope-alerts. */
    fakeAlertsPath: string;
  }
}
