/**
 * The memory benchmark's load, in a process of its own: the runner's Node process
 * is one of those whose RSS must stay flat, and the load generator's own sockets,
 * buffers and garbage would count in it. `node load-child.ts <base> <rate> <seconds>`
 * runs the demo mix open-loop and prints the result as one JSON line.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { DEMO_MIX, openLoop } from "./load.ts";

export interface ChildResult {
  sent: number;
  unexpected: number;
  kinds: [string, number][];
  /** The child's peak RSS, MB (its own figure, apart from the stack's). */
  maxRssMb: number;
}

/** The demo mix at `rate` for `seconds` from a child process. */
export function openLoopElsewhere(base: string, rate: number, seconds: number): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), base, String(rate), String(seconds)], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(`the load process exited with ${String(code)}`));
      resolve(JSON.parse(out) as ChildResult);
    });
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [base = "", rate = "20", seconds = "30"] = process.argv.slice(2);
  const result = await openLoop(base, DEMO_MIX, Number(rate), Number(seconds));
  const line: ChildResult = { sent: result.sent, unexpected: result.unexpected, kinds: [...result.kinds], maxRssMb: process.resourceUsage().maxRSS / 1024 };
  process.stdout.write(`${JSON.stringify(line)}\n`);
  // The keep-alive agent's sockets would hold the process open.
  process.exit(0);
}
