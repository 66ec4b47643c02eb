/**
 * The loaded tenants' `globalOutbound`: every fetch a tenant makes passes here.
 * It enforces `subRequests` exactly, per invocation, with production's message,
 * and records how long the invocation waited, so CPU time can exclude it.
 */
import { WorkerEntrypoint } from "cloudflare:workers";
import { INVOCATION_HEADER } from "./wrapper/protocol.ts";
import {
  SUBREQUEST_LIMIT_MESSAGE,
  admitSubrequest,
  findInvocation,
  waitEnded,
  waitStarted,
} from "./invocations.ts";

export class SubrequestGate extends WorkerEntrypoint<Env> {
  override async fetch(request: Request): Promise<Response> {
    const inv = findInvocation(request.headers.get(INVOCATION_HEADER));
    const outbound = new Request(request);
    outbound.headers.delete(INVOCATION_HEADER);
    // Fetches outside any invocation (none are possible in production) pass uncounted.
    if (inv === undefined) return fetch(outbound);
    if (!admitSubrequest(inv)) throw new Error(SUBREQUEST_LIMIT_MESSAGE);
    waitStarted(inv, Date.now());
    try {
      return await fetch(outbound);
    } finally {
      waitEnded(inv, Date.now());
    }
  }
}
