/// <reference types="@cloudflare/vitest-plugin/types" />

// Test-only bindings (vitest.config.ts): the recording tail consumer.
declare namespace Cloudflare {
  interface Env {
    TAIL_RECORDER: Fetcher;
  }
}
