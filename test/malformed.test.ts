/**
 * An adversarial corpus of Hosts and request targets, sent over raw TCP to the
 * running dispatcher: each gets a 400 invalid_request (or, where the runtime
 * itself refuses the bytes, the runtime's own 400), never a 500 and never a tenant.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type Stack } from "../local/dev/stack.ts";
import { rawRequest } from "./raw-http.ts";

let stack: Stack;
let port: number;

beforeAll(async () => {
  stack = await startStack({ port: 0, apiPort: 0, dashboardPort: 0, persistTo: false, seed: { tenants: ["hello"] }, log: () => {} });
  port = Number(new URL(stack.urls.dispatcher).port);
});
afterAll(async () => {
  await stack.dispose();
});

/** [request line target, Host header value] */
const CORPUS: readonly [string, string][] = [
  ["/", "hello.localhost:99999"],
  ["/", "hello.localhost:abc"],
  ["/", "hello.localhost:"],
  ["/", "hello.localhost:0"],
  ["/", "[::1"],
  ["/", "[::1]x"],
  ["/", "a%00.localhost"],
  ["/", "a b.localhost"],
  ["/", "hello.localhost/evil"],
  ["/x", "localhost/hello"],
  ["/", "user@hello.localhost"],
  ["/", "hello.localhost?q"],
  ["/", "hello.localhost#f"],
  ["/", "hello.localhost\\x"],
  ["/", "héllo.localhost"],
  ["/", "*"],
  ["*", "hello.localhost"],
  ["*", "localhost"],
  ["hello", "localhost"],
  ["//hello/x", "localhost"],
  ["http://hello.localhost:99999/", "localhost"],
];

interface ErrorBody {
  error?: { code?: string };
}

describe("malformed requests over raw TCP", () => {
  it.each(CORPUS)("target %j with Host %j is refused without reaching a tenant", async (target, host) => {
    const res = await rawRequest(port, `GET ${target} HTTP/1.1\r\nhost: ${host}`);
    expect(res.status, res.body).toBeGreaterThanOrEqual(400);
    expect(res.status, res.body).toBeLessThan(500);
    // hello answers 200 "Hello from the hello tenant"; no case of the corpus may reach it.
    expect(res.body).not.toContain("Hello from");
    // The dispatcher answers every case itself, with one of its JSON error codes.
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(["invalid_request", "invalid_tenant_name", "tenant_not_found"]).toContain((JSON.parse(res.body) as ErrorBody).error?.code);
  });

  it("answers the corpus's Host cases with invalid_request from the dispatcher", async () => {
    for (const host of ["hello.localhost:99999", "a%00.localhost", "a b.localhost", "[::1", "hello.localhost/evil"]) {
      const res = await rawRequest(port, `GET / HTTP/1.1\r\nhost: ${host}`);
      expect(res.status, host).toBe(400);
      expect((JSON.parse(res.body) as ErrorBody).error?.code, host).toBe("invalid_request");
    }
  });

  it("keeps serving good requests after the corpus", async () => {
    const res = await rawRequest(port, "GET / HTTP/1.1\r\nhost: hello.localhost");
    expect(res.status).toBe(200);
    expect(res.body).toContain("Hello from the hello tenant");
  });
});
