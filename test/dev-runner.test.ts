/**
 * The dev runner across restarts and crashes: re-seeding leaves an upload made through
 * the API alone and skips unchanged demo tenants; a runner killed with SIGKILL leaves
 * workerd processes on its ports, and the next `pnpm dev` ends them and says so.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../local/dev/ports.ts";
import { startStack } from "../local/dev/stack.ts";
import { NamespaceClient } from "./namespace-client.ts";

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "tenantscope-runner-"));
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe("re-seeding", () => {
  it("keeps an API upload over a demo name, and skips demo tenants whose source did not change", async () => {
    const state = await tempDir();
    const apiPort = await freePort();
    const options = { port: 0, apiPort, dashboardPort: 0, persistTo: state, seed: { tenants: ["hello", "thrower"] }, log: () => {} } as const;
    const first = await startStack(options);
    expect(first.seeded?.tenants.map((t) => [t.name, t.upload])).toEqual([["hello", "uploaded"], ["thrower", "uploaded"]]);
    const client = new NamespaceClient(first);
    expect((await client.upload(first.namespace, "hello", `export default { fetch() { return new Response("mine"); } }`)).status).toBe(200);
    await first.dispose();

    const second = await startStack(options);
    try {
      expect(second.seeded?.tenants.map((t) => [t.name, t.upload])).toEqual([["hello", "kept"], ["thrower", "unchanged"]]);
      expect(await (await new NamespaceClient(second).call(second.namespace, "hello")).text()).toBe("mine");
    } finally {
      await second.dispose();
    }
  });
});

interface Runner {
  child: ChildProcess;
  output: () => string;
  ready: Promise<void>;
  exited: Promise<number | null>;
}

function runDev(args: string[]): Runner {
  const child = spawn(process.execPath, [resolve(import.meta.dirname, "../local/dev/main.ts"), ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let text = "";
  const ready = new Promise<void>((resolveReady, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready within 120 s:\n${text}`)), 120_000);
    const onData = (chunk: Buffer): void => {
      text += chunk.toString();
      if (/ready in/.test(text)) {
        clearTimeout(timer);
        resolveReady();
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.on("exit", () => reject(new Error(`exited before ready:\n${text}`)));
  });
  const exited = new Promise<number | null>((done) => child.on("exit", (code) => done(code)));
  return { child, output: () => text, ready, exited };
}

async function answers(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/hello/`, { signal: AbortSignal.timeout(3_000) });
    await res.text();
    return true;
  } catch {
    return false;
  }
}

describe("a runner that crashed", () => {
  it("leaves nothing on the ports after the next pnpm dev has started and stopped", async () => {
    const root = await tempDir();
    const [port, apiPort, dashboardPort] = [await freePort(), await freePort(), await freePort()];
    const args = ["--state-dir", join(root, "state"), "--port", String(port), "--api-port", String(apiPort), "--dashboard-port", String(dashboardPort), "--no-watch"];
    const first = runDev(args);
    await first.ready;
    expect(await answers(port)).toBe(true);
    first.child.kill("SIGKILL");
    await first.exited;
    // What the issue measured: the orphans still serve the ports.
    expect(await answers(port)).toBe(true);

    const second = runDev(args);
    await second.ready;
    expect(second.output()).toMatch(/ended \d+ workerd process\(es\) left running by an earlier pnpm dev \(pid \d+/);
    expect(await answers(port)).toBe(true);
    second.child.kill("SIGINT");
    expect(await second.exited).toBe(0);
    expect(await answers(port)).toBe(false);
    expect(await answers(apiPort)).toBe(false);
  });
});
