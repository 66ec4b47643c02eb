import { exports } from "cloudflare:workers";

/** Where the AE tests send their requests: the AE Worker's own paths (Cloudflare's). */
export const TOKEN = "local";
export const API = "http://api.local/client/v4/accounts/local";

/**
 * A response body as text. workerd warns when `text()` reads a body whose type is not
 * text (JSONEachRow answers `application/x-ndjson`); decoding the bytes gives the
 * same string without that warning.
 */
export async function bodyText(res: Response): Promise<string> {
  return new TextDecoder().decode(await res.arrayBuffer());
}

export interface JsonAnswer {
  meta: { name: string; type: string }[];
  data: Record<string, unknown>[];
  rows: number;
  rows_before_limit_at_least: number;
}

export interface ImportedPoint {
  at: number;
  si: number;
  tenant: string;
  blobs: string[];
  doubles: number[];
}

/** The AE Worker's SQL API over one dataset: `$T` in a query names it. */
export function sqlClient(dataset: string) {
  const post = async (path: string, body: string): Promise<Response> => {
    const headers = new Headers({ authorization: `Bearer ${TOKEN}` });
    return exports.default.fetch(new Request(`${API}/analytics_engine${path}`, { method: "POST", body, headers }));
  };
  const answer = async (sql: string): Promise<{ status: number; body: string }> => {
    const res = await post("/sql", sql.replaceAll("$T", dataset));
    return { status: res.status, body: await bodyText(res) };
  };
  const query = async (sql: string): Promise<JsonAnswer> => {
    const res = await answer(sql);
    if (res.status !== 200) throw new Error(`${res.status}: ${res.body.slice(0, 300)}`);
    return JSON.parse(res.body) as JsonAnswer;
  };
  return {
    answer,
    query,
    data: async (sql: string): Promise<Record<string, unknown>[]> => (await query(sql)).data,
    load: async (points: ImportedPoint[]): Promise<void> => {
      const lines = points.map((p) => JSON.stringify({ timestamp: new Date(p.at).toISOString(), _sample_interval: p.si, index1: p.tenant, blobs: p.blobs, doubles: p.doubles }));
      const res = await post(`/_import?dataset=${dataset}`, lines.join("\n"));
      if (res.status !== 200) throw new Error(`import answered ${res.status}: ${await res.text()}`);
    },
  };
}
