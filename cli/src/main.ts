#!/usr/bin/env node
/** The `tenantscope` executable: Node 24 runs this TypeScript file directly (type stripping). */
import { run } from "./run.ts";

process.exitCode = await run(process.argv.slice(2), {
  fetch: (input, init) => fetch(input, init),
  env: process.env,
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
});
