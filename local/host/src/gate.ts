/**
 * The loaded tenants' `globalOutbound`: every fetch a tenant makes passes here.
 * It enforces `subRequests` exactly, per invocation, with production's message, and
 * sends the fetch through the namespace's Outbound Worker when it has one (by way of
 * the stand-in, which runs it: src/runtime/outbound.ts). Direct subrequests leave
 * through INTERNET (workerd's network service), not the global `fetch`: that one
 * passes Miniflare's outbound interceptor, an isolate nothing collects
 * (local/dev/options.ts), whose two header changes are made here instead.
 */
import { WorkerEntrypoint } from "cloudflare:workers";
import { OUTBOUND_TOKEN_HEADER, OUTBOUND_URL_HEADER } from "../../src/runtime/outbound-protocol.ts";
import { SUBREQUEST_LIMIT_MESSAGE, admitSubrequest, findInvocation } from "./invocations.ts";
import { PLATFORM_PATHS } from "./run-protocol.ts";
import { INVOCATION_HEADER } from "./wrapper/protocol.ts";

/** The header changes of Miniflare's interceptor (its `STRIP_CF_CONNECTING_IP`, on by default), so the targets see what they saw before. */
const CF_WORKER = "tenantscope-tenant-host.example.com";

function asMiniflareSends(request: Request): Request {
  request.headers.delete("cf-connecting-ip");
  request.headers.set("cf-worker", CF_WORKER);
  return request;
}

export class SubrequestGate extends WorkerEntrypoint<Env> {
  override async fetch(request: Request): Promise<Response> {
    const inv = findInvocation(request.headers.get(INVOCATION_HEADER));
    const outbound = new Request(request);
    outbound.headers.delete(INVOCATION_HEADER);
    // Fetches outside any invocation (none are possible in production) pass uncounted.
    if (inv !== undefined && !admitSubrequest(inv)) throw new Error(SUBREQUEST_LIMIT_MESSAGE);
    if (inv?.outbound === undefined) return this.env.INTERNET.fetch(asMiniflareSends(outbound));
    const headers = new Headers(outbound.headers);
    headers.set(OUTBOUND_URL_HEADER, outbound.url);
    headers.set(OUTBOUND_TOKEN_HEADER, this.env.API_TOKEN);
    const via = new Request(`http://platform${PLATFORM_PATHS.outbound(inv.outbound)}`, { method: outbound.method, headers, body: outbound.body, redirect: "manual" });
    return this.env.PLATFORM.fetch(via);
  }
}
