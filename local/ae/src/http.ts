/**
 * The Analytics Engine's HTTP face, under Cloudflare's path. The local API Worker
 * forwards `/client/v4/accounts/:account/analytics_engine/*` here over its `AE`
 * service binding after checking the bearer token; this Worker has no socket.
 * - `POST …/sql`: the SQL API as Cloudflare serves it (SQL text in, refusals as
 *   non-200 text bodies);
 * - `POST …/_import?dataset=NAME`: local only, points with explicit timestamp and
 *   _sample_interval, which the real binding cannot set (answers in the v4 envelope).
 */
import { Hono } from "hono";
import { DataPointError, type StoredPoint, parseImportLine } from "./point.ts";
import { runSql } from "./sql/engine.ts";
import { SqlError } from "./sql/errors.ts";

/** AE dataset names are identifiers; "__" is reserved for the catalog object. */
const DATASET = /^(?!__)[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** Points per RPC into the store, to stay well below the RPC message size limit. */
const IMPORT_CHUNK = 2000;

/** Cloudflare's v4 error codes, as the local API Worker uses them (local/README.md). */
const BAD_REQUEST = 10021;
const NO_ROUTE = 7003;
const INTERNAL = 10001;

function failure(code: number, message: string): Record<string, unknown> {
  return { success: false, errors: [{ code, message }], messages: [], result: null };
}

export const app = new Hono<{ Bindings: Env }>().basePath("/client/v4/accounts/:account/analytics_engine");

app.post("/sql", async (c) => {
  const sql = await c.req.text();
  if (sql.trim() === "") return c.text("Empty query: send the SQL text as the request body", 400);
  try {
    const answer = await runSql(c.env, sql);
    return c.body(answer.body, 200, { "content-type": answer.contentType });
  } catch (error) {
    // Like the real API, refusals are plain text; anything else is ours and stays a 500.
    if (error instanceof SqlError) return c.text(error.message, error.status);
    throw error;
  }
});

app.post("/_import", async (c) => {
  const dataset = c.req.query("dataset") ?? "";
  if (!DATASET.test(dataset)) {
    return c.json(failure(BAD_REQUEST, "dataset must be an identifier (letters, digits, _), given as ?dataset=NAME"), 400);
  }
  const lines = (await c.req.text()).split("\n");
  const points: StoredPoint[] = [];
  // Validate every line before storing any, so a bad request stores nothing.
  for (const [i, line] of lines.entries()) {
    if (line.trim() === "") continue;
    try {
      points.push(parseImportLine(line));
    } catch (error) {
      if (error instanceof DataPointError) return c.json(failure(BAD_REQUEST, `line ${i + 1}: ${error.message}`), 400);
      throw error;
    }
  }
  const store = c.env.AE_STORE.get(c.env.AE_STORE.idFromName(dataset));
  for (let i = 0; i < points.length; i += IMPORT_CHUNK) await store.import(dataset, points.slice(i, i + IMPORT_CHUNK));
  return c.json({ success: true, errors: [], messages: [], result: { dataset, imported: points.length } });
});

app.notFound((c) => c.json(failure(NO_ROUTE, `No route for ${c.req.method} ${new URL(c.req.url).pathname}`), 404));

app.onError((error, c) => {
  console.error("tenantscope-local-ae: internal error", error);
  return c.json(failure(INTERNAL, "Internal error in the local API"), 500);
});
