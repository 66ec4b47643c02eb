/**
 * The tenant hosts' traces, on their way to the stand-in's tail relay. A host posts
 * them here (SUPERVISOR_PATHS.traces), not to the stand-in: this answers at once, so
 * the post's completion lands on the tenant's thread right away and not during a
 * later invocation (the stand-in, saturated, answered seconds late, and the
 * completions of up to 11 pending posts landed in one invocation's waits). It also
 * knows when an invocation's trace has left its process: the supervisor holds the
 * process until then, so the tail's work (building and sending the trace) is charged
 * to nobody instead of the next invocation.
 */
import { timingSafeEqual } from "node:crypto";
import { Agent, request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import { ExpiringMap } from "@tenantscope/core/expiring";
import { TRACE_IDS_HEADER } from "../../host/src/run-protocol.ts";

/** Where the traces go: the stand-in's internal route, behind the API's token. */
export interface TraceTarget {
  url: string;
  token: string;
}

/**
 * How long the supervisor waits for an invocation's trace before it runs the next
 * one. The trace usually comes within a few ms of the response; it comes only after
 * the tenant's `ctx.waitUntil` work, which this does not wait out.
 */
export const TRACE_HOLD_MS = 25;

/** Which invocations' traces have come, and who waits for one. */
export class TraceLedger {
  /** Traces that came before anyone waited for them (or after the wait gave up). */
  private readonly arrived = new ExpiringMap<true>(60_000);
  private readonly waiters = new Map<string, () => void>();

  arrive(ids: readonly string[]): void {
    const now = Date.now();
    for (const id of ids) {
      const wake = this.waiters.get(id);
      if (wake === undefined) this.arrived.set(id, true, now);
      else wake();
    }
  }

  /** True once the trace of `id` has come; false after `timeoutMs` without it. */
  wait(id: string, timeoutMs: number): Promise<boolean> {
    if (this.arrived.get(id) === true) {
      this.arrived.delete(id);
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters.delete(id);
        resolve(false);
      }, timeoutMs);
      this.waiters.set(id, () => {
        clearTimeout(timer);
        this.waiters.delete(id);
        resolve(true);
      });
    });
  }
}

export interface TraceRelay {
  ledger: TraceLedger;
  /** Serves one host's post: 202 at once, then on to the stand-in. */
  handle(req: IncomingMessage, res: ServerResponse): void;
  dispose(): void;
}

/** Whether the post carries the API's token: what it relays lands in Analytics Engine. */
function authorized(req: IncomingMessage, target: TraceTarget | null): boolean {
  if (target === null) return true;
  const given = Buffer.from(req.headers.authorization ?? "");
  const wanted = Buffer.from(`Bearer ${target.token}`);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

/** `target` null: traces are acknowledged and dropped (a supervisor without a stand-in). */
export function startTraceRelay(target: TraceTarget | null, log: (line: string) => void): TraceRelay {
  const ledger = new TraceLedger();
  // A few connections: at saturation the stand-in is the bottleneck, and posts queue here.
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  let disposed = false;

  const forward = (body: Buffer, count: number): void => {
    if (target === null) return;
    const failed = (why: string): void => {
      if (!disposed) log(`tenant supervisor: ${count} trace(s) were not delivered to the tail relay: ${why}`);
    };
    const out = httpRequest(target.url, { method: "POST", agent, headers: { authorization: `Bearer ${target.token}`, "content-type": "application/json", "content-length": body.length } }, (res) => {
      if ((res.statusCode ?? 500) < 300) return void res.resume();
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => failed(`${res.statusCode} ${Buffer.concat(chunks).toString("utf8").slice(0, 200)}`));
    });
    out.on("error", (error) => failed(String(error)));
    out.end(body);
  };

  return {
    ledger,
    handle(req, res) {
      if (!authorized(req, target)) {
        req.resume();
        res.writeHead(401, { "content-type": "text/plain" }).end("the local API's bearer token is required\n");
        return;
      }
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        res.writeHead(202).end();
        const raw = req.headers[TRACE_IDS_HEADER];
        const ids = typeof raw === "string" && raw !== "" ? raw.split(",") : [];
        ledger.arrive(ids);
        const body = Buffer.concat(chunks);
        if (body.length > 0) forward(body, Math.max(1, ids.length));
      });
    },
    dispose() {
      disposed = true;
      agent.destroy();
    },
  };
}
