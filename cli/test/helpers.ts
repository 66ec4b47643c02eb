/** Runs the CLI in-process, capturing its output, against a given target. */
import { run, type Io } from "../src/run.ts";
import type { FetchLike } from "../src/api.ts";

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

export interface CliOptions {
  env: Record<string, string | undefined>;
  fetch?: FetchLike;
  sleeps?: number[];
}

export async function cli(opts: CliOptions, ...argv: string[]): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = {
    fetch: opts.fetch ?? ((input, init) => fetch(input, init)),
    env: opts.env,
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    // Retries are tested for their count and order, not their real waiting.
    sleep: async (ms) => {
      opts.sleeps?.push(ms);
    },
  };
  const code = await run(argv, io);
  return { code, out: out.join("\n"), err: err.join("\n") };
}

let counter = 0;
export function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}-${counter}-${Math.floor(Math.random() * 1e6)}`;
}
