import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineProject } from "vitest/config";

/**
 * A stand-in tail consumer: it keeps every trace the relay hands it, and serves
 * them back as JSON. Bound to the stand-in as a tail consumer named
 * "tail-recorder" (binding TAIL_TAIL_RECORDER, see src/tail/names.ts), and to the
 * tests as TAIL_RECORDER.
 */
const RECORDER = `
import { WorkerEntrypoint } from "cloudflare:workers";
const received = [];
export default class extends WorkerEntrypoint {
  async tail(events) { received.push(...events); }
  async fetch() { return Response.json(received); }
}`;

export default defineProject({
  plugins: [cloudflareTest({
    wrangler: { configPath: "./wrangler.jsonc" },
    miniflare: {
      serviceBindings: { TAIL_TAIL_RECORDER: "tail-recorder", TAIL_RECORDER: "tail-recorder" },
      workers: [{ name: "tail-recorder", modules: true, compatibilityDate: "2026-11-01", script: RECORDER }],
    },
  })],
  test: { name: "local", include: ["test/**/*.test.ts"] },
});
