/**
 * Test-only declarations, shared by the workerd tests (test/tsconfig.json) and the
 * Node side that provides the values (tsconfig.node.json).
 *
 * Bindings: the test config (vitest.config.ts) binds only names that the production
 * config declares (the secrets and AE_SQL_URL), so the generated `Env` already types
 * them and nothing is merged into `Cloudflare.Env` here. A test-only binding would be
 * declared by merging into `Cloudflare.Env` in this file.
 */
import "vitest";

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
  }
}
