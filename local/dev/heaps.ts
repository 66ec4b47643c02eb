/**
 * Each platform Worker's V8 heap, read over workerd's inspector (`--inspector-addr`,
 * Miniflare's `inspectorPort`): a full GC first, so the figure is what is still
 * reachable, not garbage waiting for a collection. This is what tells a leak in a
 * Worker's JavaScript from native growth of workerd (RSS minus the heaps).
 */
import { writeFileSync } from "node:fs";

interface InspectorTarget {
  id: string;
  title?: string;
  webSocketDebuggerUrl?: string;
}

export interface HeapFigure {
  /** The Worker's name as workerd's inspector lists it. */
  worker: string;
  usedMb: number;
  totalMb: number;
}

interface Reply {
  id?: number;
  result?: Record<string, unknown>;
  error?: { message: string };
}

/** One CDP session: sends `calls` in order, resolves with their results. */
function session(url: string, calls: readonly { method: string; params?: Record<string, unknown> }[], timeoutMs: number, onEvent: (method: string, params: Record<string, unknown>) => void = () => {}): Promise<Record<string, unknown>[]> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const results: Record<string, unknown>[] = [];
    const timer = setTimeout(() => {
      ws.close();
      reject(new Error(`inspector ${url} did not answer in ${timeoutMs} ms`));
    }, timeoutMs);
    const send = (i: number): void => {
      const call = calls[i];
      if (call === undefined) {
        clearTimeout(timer);
        ws.close();
        resolve(results);
        return;
      }
      ws.send(JSON.stringify({ id: i + 1, method: call.method, params: call.params ?? {} }));
    };
    ws.addEventListener("open", () => send(0));
    ws.addEventListener("error", () => {
      clearTimeout(timer);
      reject(new Error(`inspector ${url} failed`));
    });
    ws.addEventListener("message", (event) => {
      const reply = JSON.parse(String(event.data)) as Reply & { method?: string; params?: Record<string, unknown> };
      if (reply.id === undefined) {
        if (reply.method !== undefined) onEvent(reply.method, reply.params ?? {});
        return;
      }
      if (reply.error !== undefined) {
        clearTimeout(timer);
        ws.close();
        reject(new Error(`${calls[reply.id - 1]?.method ?? "?"}: ${reply.error.message}`));
        return;
      }
      results.push(reply.result ?? {});
      send(reply.id);
    });
  });
}

/** How workerd's inspector prefixes a Worker's isolate (Miniflare's own have names of their own). */
const WORKER_PREFIX = "core:user:";
const isWorker = (id: string): boolean => id.startsWith(WORKER_PREFIX);
/** A Worker's name, or a Miniflare isolate's id as the inspector lists it. */
const nameOf = (id: string): string => (isWorker(id) ? id.slice(WORKER_PREFIX.length) : id);

/** The isolates workerd's inspector lists on `port`. */
export async function inspectorTargets(port: number): Promise<InspectorTarget[]> {
  const res = await fetch(`http://127.0.0.1:${port}/json/list`);
  return (await res.json()) as InspectorTarget[];
}

const mb = (bytes: unknown): number => (typeof bytes === "number" ? bytes / 1024 / 1024 : Number.NaN);

/**
 * Each Worker's reachable heap after a full GC, one isolate at a time. The GC comes
 * from a heap snapshot: `HeapProfiler.collectGarbage` only schedules one, which an
 * idle isolate never runs. With `saveTo`, each snapshot is kept as `<saveTo>-<worker>.heapsnapshot`.
 */
export async function workerHeaps(port: number, saveTo?: string, timeoutMs = 60_000): Promise<HeapFigure[]> {
  const figures: HeapFigure[] = [];
  // Only the Workers themselves; Miniflare's own services are listed too.
  for (const target of (await inspectorTargets(port)).filter((t) => isWorker(t.id))) {
    const url = target.webSocketDebuggerUrl ?? `ws://127.0.0.1:${port}/${target.id}`;
    const chunks: string[] = [];
    const collect = (method: string, params: Record<string, unknown>): void => {
      if (saveTo !== undefined && method === "HeapProfiler.addHeapSnapshotChunk" && typeof params.chunk === "string") chunks.push(params.chunk);
    };
    const [, usage] = await session(url, [{ method: "HeapProfiler.takeHeapSnapshot", params: { reportProgress: false } }, { method: "Runtime.getHeapUsage" }], timeoutMs, collect);
    if (saveTo !== undefined) writeFileSync(`${saveTo}-${nameOf(target.id)}.heapsnapshot`, chunks.join(""));
    figures.push({ worker: nameOf(target.id), usedMb: mb(usage?.usedSize), totalMb: mb(usage?.totalSize) });
  }
  return figures;
}

/**
 * Each Worker's heap as V8 holds it now, garbage included (no GC first): what a
 * collection that never comes lets pile up. The reachable figure (`workerHeaps`)
 * cannot show that; this one can.
 */
export async function workerHeapsNow(port: number, timeoutMs = 30_000, only?: readonly string[]): Promise<HeapFigure[]> {
  const figures: HeapFigure[] = [];
  // `only`: an isolate without traffic answers nothing until its next request.
  const wanted = (id: string): boolean => isWorker(id) && (only === undefined || only.includes(nameOf(id)));
  for (const target of (await inspectorTargets(port)).filter((t) => wanted(t.id))) {
    const url = target.webSocketDebuggerUrl ?? `ws://127.0.0.1:${port}/${target.id}`;
    const [usage] = await session(url, [{ method: "Runtime.getHeapUsage" }], timeoutMs);
    figures.push({ worker: nameOf(target.id), usedMb: mb(usage?.usedSize), totalMb: mb(usage?.totalSize) });
  }
  return figures;
}

/**
 * Has each Worker's isolate collect its garbage (`HeapProfiler.collectGarbage`, whose
 * answer comes once V8 has run the GC) and reads its heap after: no snapshot, whose own
 * native memory stays in workerd's allocator afterwards (a 6-isolate snapshot raised the
 * platform's RSS about 90 MB for good). The GC runs at the isolate's next turn, so an
 * isolate with no traffic does not answer within `timeoutMs` and is left out; it makes
 * no garbage meanwhile either. All isolates at once: each is a session of its own.
 * Miniflare's KV simulator too (`kv:ns`, `kv:ns:entry`, named as the inspector lists
 * them): it runs on every routed request (the plan lookup), and its garbage holds
 * native memory just as the Workers' does. Miniflare's other isolates (`outbound:N`,
 * `cache:N`, `core:entry`, assets) carry no traffic in the stack and never answered in
 * a 30-minute run; a session to each every round was only garbage in this process.
 */
export async function collectedHeaps(port: number, timeoutMs = 3_000): Promise<HeapFigure[]> {
  const targets = (await inspectorTargets(port)).filter((t) => isWorker(t.id) || t.id.startsWith("kv:"));
  const figures = await Promise.all(
    targets.map(async (target): Promise<HeapFigure | null> => {
      const url = target.webSocketDebuggerUrl ?? `ws://127.0.0.1:${port}/${target.id}`;
      const answers = await session(url, [{ method: "HeapProfiler.collectGarbage" }, { method: "Runtime.getHeapUsage" }], timeoutMs).catch(() => null);
      const usage = answers?.[1];
      return usage === undefined ? null : { worker: nameOf(target.id), usedMb: mb(usage.usedSize), totalMb: mb(usage.totalSize) };
    }),
  );
  return figures.filter((f): f is HeapFigure => f !== null);
}
