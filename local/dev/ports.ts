/**
 * Clear errors for busy ports: workerd only says that it failed to start, so the
 * runner checks each fixed port first and names the flag that changes it.
 */
import { createServer } from "node:net";
import { candidatePort, reservePort } from "./reservations.ts";

export interface PortSpec {
  port: number;
  /** What listens there, e.g. "dispatcher". */
  label: string;
  flag: string;
  envVar: string;
}

export class PortInUseError extends Error {
  override name = "PortInUseError";
  readonly spec: PortSpec;
  constructor(spec: PortSpec) {
    super(
      `port ${spec.port} (${spec.label}) is already in use on 127.0.0.1. ` +
        `Stop whatever holds it, or pick another port with ${spec.flag} <port> or ${spec.envVar}=<port> (0 = any free port).`,
    );
    this.spec = spec;
  }
}

function probe(port: number): Promise<boolean> {
  return new Promise((resolveFree) => {
    const server = createServer();
    server.once("error", () => resolveFree(false));
    server.listen({ host: "127.0.0.1", port, exclusive: true }, () => {
      server.close(() => resolveFree(true));
    });
  });
}

/** Throws PortInUseError for the first busy port; port 0 (any free port) is never busy. */
export async function assertPortsFree(specs: readonly PortSpec[]): Promise<void> {
  for (const spec of specs) {
    if (spec.port === 0) continue;
    if (!(await probe(spec.port))) throw new PortInUseError(spec);
  }
}

/**
 * A port that is free now and stays ours until workerd binds it, for a "0" whose
 * number other Workers must know in advance. A port the kernel handed out and we
 * released could be handed out again to any bind(0) meanwhile (CI saw workerd fail
 * with "address in use" when 90 test files started stacks at once), so the port comes
 * from below the kernel's ephemeral range, which bind(0) and connect() never use, and
 * is reserved across processes with a file made exclusively (reservations.ts).
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = candidatePort();
    if (!reservePort(port)) continue;
    if (await probe(port)) return port;
  }
  throw new Error("found no free port to reserve below the ephemeral range after 200 tries");
}

export const PORT_FLAGS = {
  dispatcher: { label: "dispatcher", flag: "--port", envVar: "TENANTSCOPE_PORT", defaultPort: 8787 },
  dashboard: { label: "dashboard", flag: "--dashboard-port", envVar: "TENANTSCOPE_DASHBOARD_PORT", defaultPort: 8788 },
  api: { label: "local Cloudflare API", flag: "--api-port", envVar: "TENANTSCOPE_API_PORT", defaultPort: 8789 },
} as const;
