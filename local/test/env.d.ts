/// <reference types="@cloudflare/vitest-plugin/types" />

// Test-only bindings (vitest.config.ts), merged into the generated Env: the recording
// tail consumer.
declare namespace Cloudflare {
  interface Env {
    TAIL_RECORDER: Fetcher;
  }
}
