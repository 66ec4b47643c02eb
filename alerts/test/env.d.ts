/** What global-setup.ts provides and the tests read with `inject()`. */
import "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    aeSqlUrl: string;
    aeToken: string;
    anchorMs: number;
  }
}
