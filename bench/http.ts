/**
 * One HTTP GET over a keep-alive agent, timed from request to the last body byte.
 * node:http (not fetch) because Node's fetch drops a Host override, and both
 * dispatchers route by the `hello.localhost` subdomain.
 */
import { Agent, request } from "node:http";

export interface Timed {
  status: number;
  body: string;
  ms: number;
}

export function keepAliveAgent(): Agent {
  return new Agent({ keepAlive: true, maxSockets: 1 });
}

export function timedGet(agent: Agent, base: URL, path: string, host: string): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const req = request(
      { host: base.hostname, port: base.port, path, method: "GET", agent, headers: { host } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", reject);
        res.on("end", () => {
          const ms = Number(process.hrtime.bigint() - started) / 1e6;
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8"), ms });
        });
      },
    );
    req.on("error", reject);
    req.end();
  });
}
