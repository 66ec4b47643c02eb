/**
 * The Analytics Engine dataset binding, locally: an RPC entrypoint whose
 * writeDataPoint matches AnalyticsEngineDataset structurally. props.dataset names the
 * dataset (one AnalyticsStore object each).
 *
 * Writes that arrive within a millisecond of each other (a tail invocation sends its
 * points at once) go to the store in one call: the RPC into the Durable Object, not
 * the insert, was most of a point's cost on the platform's busy thread. Each call
 * still answers once its own point is stored, or with the store's error, so a caller
 * that awaits it (the tail does) knows as before. The first call of a window writes the
 * batch from its own request; the others wait on timers of their own, never on its
 * promise (a request awaiting another request's promise hangs if that one is cancelled).
 */
import { WorkerEntrypoint } from "cloudflare:workers";
import { type DataPointInput, type StoredPoint, toStoredPoint } from "./point.ts";

export interface AnalyticsEngineProps {
  dataset: string;
}

const WINDOW_MS = 1;
const POLL_MS = 1;
/** A batch whose writer vanished (its request cancelled) fails its other points after this. */
const ABANDONED_MS = 10_000;

interface Batch {
  points: StoredPoint[];
  done: boolean;
  error: unknown;
}

const open = new Map<string, Batch>();
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class LocalAnalyticsEngine extends WorkerEntrypoint<Env, AnalyticsEngineProps> {
  async writeDataPoint(point: DataPointInput = {}): Promise<void> {
    const dataset = this.ctx.props.dataset;
    // Validated before it joins a batch, so a bad point fails alone, with AE's limit error.
    const stored = toStoredPoint(point, Date.now(), 1);
    const joined = open.get(dataset);
    if (joined !== undefined) {
      joined.points.push(stored);
      return waitFor(joined);
    }
    const batch: Batch = { points: [stored], done: false, error: null };
    open.set(dataset, batch);
    await sleep(WINDOW_MS);
    if (open.get(dataset) === batch) open.delete(dataset);
    try {
      const store = this.env.AE_STORE.get(this.env.AE_STORE.idFromName(dataset));
      await store.write(dataset, batch.points);
    } catch (error) {
      batch.error = error;
    } finally {
      batch.done = true;
    }
    if (batch.error !== null) throw batch.error;
  }
}

async function waitFor(batch: Batch): Promise<void> {
  const deadline = Date.now() + ABANDONED_MS;
  while (!batch.done) {
    if (Date.now() > deadline) throw new Error("Analytics Engine (local): the write of this point's batch did not finish; the point is lost");
    await sleep(POLL_MS);
  }
  if (batch.error !== null) throw batch.error;
}
