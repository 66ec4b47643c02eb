/**
 * Ports chosen in advance for "any free port": many stacks start at once (these
 * tests run files in parallel), so a port handed to one must not be handed to
 * another, in this process or in another, before workerd has bound it.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { freePort } from "../local/dev/ports.ts";
import { reservePort } from "../local/dev/reservations.ts";

const RESERVATIONS = resolve(import.meta.dirname, "../local/dev/reservations.ts");

function ephemeralStart(): number {
  return Number(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]);
}

function bindable(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once("error", () => done(false));
    server.listen({ host: "127.0.0.1", port, exclusive: true }, () => server.close(() => done(true)));
  });
}

describe("freePort", () => {
  it("hands out distinct ports below the kernel's ephemeral range, each free", async () => {
    const ports = await Promise.all(Array.from({ length: 40 }, () => freePort()));
    expect(new Set(ports).size).toBe(ports.length);
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(10_000);
      expect(port).toBeLessThan(ephemeralStart());
      expect(await bindable(port)).toBe(true);
    }
  });

  it("never hands out a port another process reserved", async () => {
    const port = await freePort();
    expect(reservePort(port)).toBe(false);
    // Another process (a second test file, a benchmark beside `pnpm dev`) is refused it too.
    const script = `import { reservePort } from ${JSON.stringify(RESERVATIONS)}; console.log(reservePort(${port}));`;
    const other = execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
    expect(other.trim()).toBe("false");
  });
});
