/**
 * Node's fetch cannot resolve *.localhost and drops a Host override, so
 * subdomain routing is exercised with node:http and an explicit Host header.
 */
import { request } from "node:http";

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export function getWithHost(base: string, path: string, host: string): Promise<HttpResult> {
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    const req = request({ hostname: url.hostname, port: url.port, path: url.pathname + url.search, headers: { host } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

/** `n` GETs of `pathOf(i)` under `base`, `concurrency` at a time, each body read to the end. */
export async function closedLoop(base: string, n: number, concurrency: number, pathOf: (i: number) => string): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < n) {
      const i = next++;
      const res = await fetch(`${base}${pathOf(i)}`);
      await res.arrayBuffer();
    }
  }));
}
