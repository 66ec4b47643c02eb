/// <reference types="@cloudflare/vitest-plugin/types" />
// The AE tests need no test-only bindings: `env` is the AE Worker's generated Env.
