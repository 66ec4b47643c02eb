/**
 * The loaded tenants' `globalOutbound`: every fetch a tenant makes passes here.
 * It enforces `subRequests` exactly, per invocation, with production's message.
 */
import { WorkerEntrypoint } from "cloudflare:workers";
import { SUBREQUEST_LIMIT_MESSAGE, admitSubrequest, findInvocation } from "./invocations.ts";
import { INVOCATION_HEADER } from "./wrapper/protocol.ts";

export class SubrequestGate extends WorkerEntrypoint<Env> {
  override async fetch(request: Request): Promise<Response> {
    const inv = findInvocation(request.headers.get(INVOCATION_HEADER));
    const outbound = new Request(request);
    outbound.headers.delete(INVOCATION_HEADER);
    // Fetches outside any invocation (none are possible in production) pass uncounted.
    if (inv !== undefined && !admitSubrequest(inv)) throw new Error(SUBREQUEST_LIMIT_MESSAGE);
    return fetch(outbound);
  }
}
