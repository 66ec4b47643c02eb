/**
 * Requests the tenant host makes of the stand-in (script code, traces) pass the
 * supervisor on their way to the local API, so the supervisor sees each trace leave.
 */
import { request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";

/** Hop-by-hop headers, which a proxy must not pass on. */
export const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "proxy-connection", "upgrade"]);

export function headerPairs(raw: readonly string[], drop: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] ?? "";
    if (!drop.has(name.toLowerCase())) out.push(name, raw[i + 1] ?? "");
  }
  return out;
}

/** Pipes the request to 127.0.0.1:`port` and the answer back; resolves with its status once sent. */
export function forward(req: IncomingMessage, res: ServerResponse, port: number): Promise<number> {
  return new Promise((done) => {
    const out = httpRequest({ host: "127.0.0.1", port, method: req.method, path: req.url, headers: headerPairs(req.rawHeaders, HOP_BY_HOP) }, (up) => {
      res.writeHead(up.statusCode ?? 502, headerPairs(up.rawHeaders, HOP_BY_HOP));
      up.pipe(res);
      up.on("end", () => done(up.statusCode ?? 502));
      up.on("error", () => {
        res.destroy();
        done(502);
      });
    });
    out.on("error", (error) => {
      if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" }).end(`the local API cannot be reached: ${String(error)}`);
      else res.destroy();
      done(502);
    });
    req.pipe(out);
  });
}
