/**
 * Assignments of tenants the dashboard cannot find are refused unless confirmed: with
 * a namespace token, through the Dispatch Namespace API (Cloudflare's 404 code 10092
 * for a missing script); without one, when the tenant has never had traffic (the
 * fixture's tenants are alpha, beta and gamma).
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { harness, json, login } from "./helpers.ts";

const NS_URL = "https://ns.test/client/v4/accounts/{account}/workers/dispatch/namespaces/{namespace}/scripts";

/** Cloudflare's answers for the scripts of one namespace; SQL and anything else go out for real. */
function namespaceApi(scripts: string[], seen: string[]): typeof fetch {
  return async (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    if (url.hostname !== "ns.test") return fetch(request);
    seen.push(`${request.headers.get("authorization")} ${url.pathname}`);
    const name = decodeURIComponent(url.pathname.split("/").pop() ?? "");
    if (scripts.includes(name)) return Response.json({ success: true, errors: [], messages: [], result: { script: { id: name } } });
    return Response.json({ success: false, errors: [{ code: 10092, message: "This Worker does not exist on your account." }], messages: [], result: null }, { status: 404 });
  };
}

const put = (h: ReturnType<typeof harness>, tenant: string, query = ""): Promise<Response> =>
  h.request(`/api/tenants/${tenant}/assignment${query}`, { method: "PUT", as: "operator", body: JSON.stringify({ plan: "pro" }) });

describe("guarded assignments", () => {
  it("refuses a tenant that is not in the namespace, writing nothing, unless forced", async () => {
    const seen: string[] = [];
    const h = harness({ fetch: namespaceApi(["shop"], seen) }, { CF_NAMESPACE_TOKEN: "ns-token", NAMESPACE_API_URL: NS_URL });
    const typo = await put(h, "shopp");
    expect(typo.status).toBe(409);
    const body = await json<{ error: { code: string; message: string } }>(typo);
    expect(body.error).toEqual({ code: "unknown_tenant", message: 'Tenant "shopp" is not in the dispatch namespace "tenantscope-tenants": nothing was saved.' });
    expect(await env.PLANS.get("tenant:shopp")).toBeNull();
    expect(seen).toEqual(["Bearer ns-token /client/v4/accounts/local/workers/dispatch/namespaces/tenantscope-tenants/scripts/shopp"]);
    // "shop" exists, though it has never had traffic.
    expect((await put(h, "shop")).status).toBe(200);
    expect(await env.PLANS.get("tenant:shop")).toBe('{"plan":"pro"}');
    expect((await put(h, "shopp", "?force=true")).status).toBe(200);
    expect(await env.PLANS.get("tenant:shopp")).toBe('{"plan":"pro"}');
    await env.PLANS.delete("tenant:shop");
    await env.PLANS.delete("tenant:shopp");
  });

  it("reports a namespace API that refuses the token as a 502, not as a missing tenant", async () => {
    const denied: typeof fetch = async () => Response.json({ success: false, errors: [{ code: 10000, message: "Authentication error" }] }, { status: 403 });
    const h = harness({ fetch: denied }, { CF_NAMESPACE_TOKEN: "wrong", NAMESPACE_API_URL: NS_URL });
    const res = await put(h, "alpha");
    expect(res.status).toBe(502);
    expect((await json<{ error: { code: string; message: string } }>(res)).error.message).toContain("cannot read Workers Scripts");
  });

  it("without a namespace token, asks to confirm a tenant that never had traffic and keeps the form's values", async () => {
    const h = harness();
    const { cookie, csrf } = await login(h, "operator");
    const post = (fields: Record<string, string>): Promise<Response> => h.request("/assignments", {
      method: "POST",
      cookie,
      headers: { "content-type": "application/x-www-form-urlencoded", origin: "http://dash.test" },
      body: new URLSearchParams({ _csrf: csrf, ...fields }).toString(),
    });
    const refused = await post({ tenant: "shopp", plan: "pro", suspended: "true" });
    expect(refused.status).toBe(409);
    const page = await refused.text();
    expect(page).toContain("Tenant &quot;shopp&quot; has never had traffic");
    expect(page).toContain('<input type="hidden" name="tenant" value="shopp">');
    expect(page).toContain('<input type="hidden" name="plan" value="pro">');
    expect(page).toContain('<input type="hidden" name="suspended" value="true">');
    expect(page).toContain('name="force" value="on" required');
    expect(await env.PLANS.get("tenant:shopp")).toBeNull();
    // A tenant with traffic needs no confirmation; the confirmed form saves.
    expect((await post({ tenant: "beta", plan: "pro" })).status).toBe(303);
    expect((await post({ tenant: "shopp", plan: "pro", suspended: "true", force: "on" })).status).toBe(303);
    expect(await env.PLANS.get("tenant:shopp")).toBe('{"plan":"pro","suspended":true}');
    await env.PLANS.delete("tenant:shopp");
    await env.PLANS.delete("tenant:beta");
  });
});
