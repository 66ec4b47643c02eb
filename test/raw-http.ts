/**
 * HTTP/1.1 over a bare socket: Node's `Request` and `http.request` refuse Hosts and
 * request targets that workerd accepts, so the malformed-input tests write bytes.
 */
import { connect } from "node:net";

export interface RawResponse {
  status: number;
  headers: Map<string, string>;
  body: string;
}

/** Sends `head` (request line and headers, without the blank line) and reads one response. */
export function rawRequest(port: number, head: string, timeoutMs = 10_000): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(new Error(`no answer within ${timeoutMs} ms to ${JSON.stringify(head.split("\r\n")[0])}`)), timeoutMs);
    socket.on("connect", () => socket.end(`${head}\r\nconnection: close\r\n\r\n`));
    socket.on("data", (c: Buffer) => chunks.push(c));
    socket.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on("close", () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString("utf8");
      const split = text.indexOf("\r\n\r\n");
      const lines = (split === -1 ? text : text.slice(0, split)).split("\r\n");
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? "")?.[1] ?? 0);
      const headers = new Map<string, string>();
      for (const line of lines.slice(1)) {
        const colon = line.indexOf(":");
        if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
      }
      resolve({ status, headers, body: split === -1 ? "" : text.slice(split + 4) });
    });
  });
}
