/**
 * Answer lines (core/answer-log): one per request the dispatcher answers itself, none
 * for a request a tenant ran, each naming the requested tenant, the status the client
 * got and the code, and parsing back with the Tail Worker's parser.
 */
import { describe, expect, it, vi } from "vitest";
import { parseAnswerLine, type Answer } from "@tenantscope/core/answer-log";
import { echo, setup } from "./fakes.ts";

function answersOf(lines: readonly string[]): Answer[] {
  return lines.map((line) => {
    const parsed = parseAnswerLine(line);
    if (parsed.kind !== "answer") throw new Error(`not an answer line: ${line}`);
    return parsed.answer;
  });
}

describe("answer lines", () => {
  it("records unknown, suspended and invalid tenants with the status and code the client got", async () => {
    const s = setup();
    await s.kv.put("tenant:frozen", { plan: "free", suspended: true });
    const statuses = [];
    for (const url of ["http://ghost.tenants.example.com/", "http://frozen.tenants.example.com/x", "http://tenants.example.com/Bad_Name/"]) {
      statuses.push((await s.request(url, { method: "POST" })).status);
    }
    expect(statuses).toEqual([404, 403, 400]);
    expect(answersOf(s.answers)).toEqual([
      { tenant: "ghost", status: 404, code: "tenant_not_found", method: "POST", message: 'No tenant named "ghost" is deployed.' },
      { tenant: "frozen", status: 403, code: "tenant_suspended", method: "POST", message: 'Tenant "frozen" is suspended.' },
      { tenant: "Bad_Name", status: 400, code: "invalid_tenant_name", method: "POST", message: expect.stringContaining('"Bad_Name" (from path routing)') },
    ]);
  });

  it("writes nothing for requests a tenant ran, whether it answered, threw or hit a limit", async () => {
    const s = setup();
    s.ns.tenants.set("hello", echo);
    s.ns.tenants.set("thrower", () => {
      throw new Error("boom");
    });
    s.ns.tenants.set("burner", () => {
      throw new Error("Worker exceeded CPU time limit.");
    });
    const statuses = [];
    for (const t of ["hello", "thrower", "burner"]) statuses.push((await s.request(`http://${t}.tenants.example.com/`)).status);
    expect(statuses).toEqual([200, 500, 503]);
    expect(s.answers).toEqual([]);
  });

  it("records a routing fault and a request with no tenant at all", async () => {
    const s = setup({ ROUTING: "hostmap" });
    s.kv.failing = true;
    expect((await s.request("http://shop.example.org/")).status).toBe(503);
    s.kv.failing = false;
    expect((await s.request("http://shop.example.org/")).status).toBe(404);
    expect(answersOf(s.answers).map((a) => [a.tenant, a.status, a.code])).toEqual([
      [null, 503, "routing_unavailable"],
      [null, 404, "tenant_not_found"],
    ]);
  });

  it("records the dispatcher's own faults under the routed tenant, without their details", async () => {
    const spy = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const s = setup();
      s.ns.get = () => {
        throw new TypeError("secret internal detail");
      };
      expect((await s.request("http://acme.tenants.example.com/")).status).toBe(500);
      const [answer] = answersOf(s.answers);
      expect(answer).toEqual({ tenant: "acme", status: 500, code: "internal_error", method: "GET", message: "The dispatcher failed to handle this request." });
      expect(s.answers.join("\n")).not.toContain("secret");
    } finally {
      spy.mockRestore();
    }
  });
});
