/**
 * The one client for the Analytics Engine SQL API (and the local stand-in, which
 * answers the same way), shared by the dashboard and the alert evaluator. It turns every
 * failure into a SqlError with a message a reader can act on, retries 429s a bounded
 * number of times, and reads 64-bit integers that arrive as JSON strings as numbers.
 */
import { isRecord } from "./result.ts";
import { retryAfterMs as parseRetryAfter } from "./retry-after.ts";

export type SqlErrorCode = "sql_failed" | "sql_bad_response" | "sql_rate_limited";

/** A known SQL failure; its message is meant for the reader (never the API's own body). */
export class SqlError extends Error {
  readonly code: SqlErrorCode;
  /** Seconds, for a 429 that a later retry may fix. */
  readonly retryAfter: number | undefined;

  constructor(code: SqlErrorCode, message: string, options?: { cause?: unknown; retryAfter?: number }) {
    super(message, options);
    this.name = "SqlError";
    this.code = code;
    this.retryAfter = options?.retryAfter;
  }
}

export type Cell = string | number | null;
export type Row = Record<string, Cell>;

export interface SqlResult {
  meta: { name: string; type: string }[];
  rows: Row[];
  /** Rows the query had before its LIMIT (ClickHouse's `rows_before_limit_at_least`), when given. */
  rowsBeforeLimit: number | null;
  /** The dataset has never been written to: an empty answer, not a failure (a fresh stack). */
  datasetMissing: boolean;
}

export interface SqlClientOptions {
  /** The full endpoint URL (account already filled in). */
  url: string;
  token: string;
  fetch?: typeof fetch;
  /** Retries after a 429 (default 2); each waits Retry-After, at most `maxRetryWaitMs`. */
  maxRetries?: number;
  maxRetryWaitMs?: number;
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Sees every SQL text sent (tests capture it). */
  onQuery?: (sql: string) => void;
  /** Sees every answered round trip: its time and whether the dataset was missing. */
  onAnswer?: (answer: { ms: number; datasetMissing: boolean }) => void;
  /** Who queries, for messages and the log prefix (`tenantscope-<client>`); default "dashboard". */
  client?: string;
}

/**
 * AE's answer for a dataset nothing was ever written to (HTTP 422). Until the first
 * write that is the normal state of a fresh deploy or stack, so pages show it as
 * "empty", with the next step, rather than as "Analytics unavailable".
 */
const NO_DATA_WRITTEN = /no data has been written to (that|this) dataset/i;

const DEFAULT_MAX_RETRIES = 2;
const DEFAULT_MAX_RETRY_WAIT_MS = 5_000;
const DEFAULT_TIMEOUT_MS = 30_000;
/** Enough of an error body to name the problem, not enough to flood a page. */
const BODY_EXCERPT = 300;

/** ClickHouse numeric types; 64-bit ones come quoted in JSON. */
const NUMERIC_TYPE = /^(Nullable\()?(U?Int\d+|Float\d+|Decimal.*)\)?$/;

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Retry-After is delta-seconds or an HTTP date; absent or unreadable means "soon" (1 s). */
export function retryAfterMs(header: string | null, now: number): number {
  return parseRetryAfter(header, now) ?? 1_000;
}

function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > BODY_EXCERPT ? `${flat.slice(0, BODY_EXCERPT)}…` : flat;
}

/**
 * What the API said goes to the log, not to the reader: every role sees these
 * messages, and an upstream error body can echo the query (another tenant's filter)
 * or whatever a proxy reflects.
 */
function logged(client: string, what: string, body: string): void {
  if (body.trim() !== "") console.error(`tenantscope-${client}: ${what}: ${excerpt(body)}`);
}

function httpFailure(client: string, status: number, body: string): SqlError {
  logged(client, `SQL API answered HTTP ${status}`, body);
  if (status === 401 || status === 403) {
    return new SqlError(
      "sql_failed",
      `The Analytics Engine SQL API refused the credentials (HTTP ${status}). Check that CF_API_TOKEN has "Account Analytics Read" for CF_ACCOUNT_ID.`,
    );
  }
  if (status >= 500) {
    return new SqlError("sql_failed", `The Analytics Engine SQL API failed (HTTP ${status}). Try again in a moment.`);
  }
  return new SqlError("sql_failed", `The Analytics Engine SQL API rejected the ${client}'s query (HTTP ${status}); its answer is in the server log.`);
}

function parseBody(client: string, text: string): SqlResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    logged(client, "SQL API answered malformed JSON", text);
    throw new SqlError("sql_bad_response", `The Analytics Engine SQL API answered with malformed JSON${text.trim() === "" ? " (an empty body)" : " (logged on the server)"}.`);
  }
  if (!isRecord(json) || !Array.isArray(json.data) || !Array.isArray(json.meta)) {
    throw new SqlError("sql_bad_response", "The Analytics Engine SQL API answered without the expected \"meta\" and \"data\" fields.");
  }
  const meta: SqlResult["meta"] = [];
  for (const m of json.meta) {
    if (!isRecord(m) || typeof m.name !== "string" || typeof m.type !== "string") {
      throw new SqlError("sql_bad_response", "The Analytics Engine SQL API answered with an unreadable \"meta\" entry.");
    }
    meta.push({ name: m.name, type: m.type });
  }
  const numeric = new Set(meta.filter((m) => NUMERIC_TYPE.test(m.type)).map((m) => m.name));
  const rows = json.data.map((raw): Row => {
    if (!isRecord(raw)) throw new SqlError("sql_bad_response", "The Analytics Engine SQL API answered with a row that is not an object.");
    const row: Row = {};
    for (const [key, value] of Object.entries(raw)) row[key] = cell(key, value, numeric.has(key));
    return row;
  });
  const before = json.rows_before_limit_at_least;
  const rowsBeforeLimit = typeof before === "number" ? before : typeof before === "string" && /^\d+$/.test(before) ? Number(before) : null;
  return { meta, rows, rowsBeforeLimit, datasetMissing: false };
}

function cell(key: string, value: unknown, numeric: boolean): Cell {
  if (value === null) return null;
  if (numeric && typeof value === "string") {
    // UInt64/Int64 arrive quoted; numbers stay exact up to 2^53 (9e15 invocations).
    const n = Number(value);
    if (value.trim() === "" || Number.isNaN(n)) {
      throw new SqlError("sql_bad_response", `The Analytics Engine SQL API answered a non-number for numeric column "${key}".`);
    }
    return n;
  }
  if (typeof value === "string" || typeof value === "number") return value;
  throw new SqlError("sql_bad_response", `The Analytics Engine SQL API answered an unexpected value in column "${key}".`);
}

export class SqlClient {
  private readonly opts: SqlClientOptions;

  constructor(opts: SqlClientOptions) {
    this.opts = opts;
  }

  async query(sql: string): Promise<SqlResult> {
    const maxRetries = this.opts.maxRetries ?? DEFAULT_MAX_RETRIES;
    const maxWait = this.opts.maxRetryWaitMs ?? DEFAULT_MAX_RETRY_WAIT_MS;
    const sleep = this.opts.sleep ?? realSleep;
    this.opts.onQuery?.(sql);
    for (let attempt = 0; ; attempt++) {
      const started = Date.now();
      const { res, text } = await this.send(sql);
      if (res.status === 422 && NO_DATA_WRITTEN.test(text)) {
        this.opts.onAnswer?.({ ms: Date.now() - started, datasetMissing: true });
        return { meta: [], rows: [], rowsBeforeLimit: 0, datasetMissing: true };
      }
      if (res.status === 429) {
        const wait = retryAfterMs(res.headers.get("retry-after"), Date.now());
        if (attempt >= maxRetries || wait > maxWait) {
          const seconds = Math.max(1, Math.ceil(wait / 1000));
          throw new SqlError(
            "sql_rate_limited",
            `The Analytics Engine SQL API is rate limiting this account (HTTP 429${attempt > 0 ? ` after ${attempt + 1} attempts` : ""}). Try again in ${seconds} s.`,
            { retryAfter: seconds },
          );
        }
        await sleep(wait);
        continue;
      }
      const client = this.opts.client ?? "dashboard";
      if (!res.ok) throw httpFailure(client, res.status, text);
      const result = parseBody(client, text);
      this.opts.onAnswer?.({ ms: Date.now() - started, datasetMissing: false });
      return result;
    }
  }

  /** The answer and its body. The timeout covers both: a body that stalls is a timeout too, not a bug. */
  private async send(sql: string): Promise<{ res: Response; text: string }> {
    const doFetch = this.opts.fetch ?? fetch;
    try {
      const res = await doFetch(this.opts.url, {
        method: "POST",
        headers: { authorization: `Bearer ${this.opts.token}`, "content-type": "text/plain" },
        body: sql,
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? DEFAULT_TIMEOUT_MS),
      });
      return { res, text: await res.text() };
    } catch (error) {
      // The timeout's abort is a DOMException named TimeoutError, from the fetch or from the body read.
      const timedOut = typeof error === "object" && error !== null && "name" in error && error.name === "TimeoutError";
      const why = timedOut ? "timed out" : "could not be reached";
      throw new SqlError("sql_failed", `The Analytics Engine SQL API ${why}. Try again in a moment.`, { cause: error });
    }
  }

}

/** A number column of a result row; a missing or non-numeric value is the API's fault. */
export function num(row: Row, key: string): number {
  const v = row[key];
  if (typeof v === "number") return v;
  if (v === null) return 0;
  throw new SqlError("sql_bad_response", `The Analytics Engine SQL API answered without a number in column "${key}".`);
}

export function str(row: Row, key: string): string {
  const v = row[key];
  if (typeof v === "string") return v;
  if (typeof v === "number") return String(v);
  throw new SqlError("sql_bad_response", `The Analytics Engine SQL API answered without a value in column "${key}".`);
}
