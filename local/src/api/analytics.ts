/**
 * The Analytics Engine routes: the SQL API (as Cloudflare serves it: SQL text in,
 * errors as non-200 text bodies) and the local-only bulk import of points with explicit
 * timestamp and _sample_interval, which the real binding cannot set.
 */
import { Hono } from "hono";
import { DataPointError, type StoredPoint, parseImportLine } from "../ae/point.ts";
import { runSql } from "../ae/sql/engine.ts";
import { SqlError } from "../ae/sql/errors.ts";
import { ApiError, codes, success } from "./envelope.ts";

/** AE dataset names are identifiers; "__" is reserved for the catalog object. */
const DATASET = /^(?!__)[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** Points per RPC into the store, to stay well below the RPC message size limit. */
const IMPORT_CHUNK = 2000;

export const analytics = new Hono<{ Bindings: Env }>();

analytics.post("/sql", async (c) => {
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

analytics.post("/_import", async (c) => {
  const dataset = c.req.query("dataset") ?? "";
  if (!DATASET.test(dataset)) {
    throw new ApiError(400, codes.badRequest, "dataset must be an identifier (letters, digits, _), given as ?dataset=NAME");
  }
  const lines = (await c.req.text()).split("\n");
  const points: StoredPoint[] = [];
  // Validate every line before storing any, so a bad request stores nothing.
  lines.forEach((line, i) => {
    if (line.trim() === "") return;
    try {
      points.push(parseImportLine(line));
    } catch (error) {
      if (error instanceof DataPointError) throw new ApiError(400, codes.badRequest, `line ${i + 1}: ${error.message}`);
      throw error;
    }
  });
  const store = c.env.AE_STORE.get(c.env.AE_STORE.idFromName(dataset));
  for (let i = 0; i < points.length; i += IMPORT_CHUNK) await store.import(dataset, points.slice(i, i + IMPORT_CHUNK));
  return c.json(success({ dataset, imported: points.length }));
});
