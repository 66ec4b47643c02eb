/**
 * Outbound Workers, locally: a namespace binding declared with `outbound: { service,
 * parameters }` sends its tenants' subrequests through that Worker. The tenant host's
 * subrequest gate forwards each one here (PLATFORM_PATHS.outbound, behind OUTBOUND_TOKEN_HEADER
 * rather than `authorization`, which is the tenant's own), and this calls the Outbound
 * Worker through a service binding the dev runner adds (outboundBindingName).
 *
 * Gap: production gives the Outbound Worker each invocation's parameters as
 * `env.<name>`. A local Worker's env is fixed when it starts, so locally they are not
 * set; get() still checks them (dispatch-options.ts). local/README.md says so.
 */
import { sameSecret } from "@tenantscope/core/compare";
import { OUTBOUND_TOKEN_HEADER, OUTBOUND_URL_HEADER, outboundBindingName } from "./outbound-protocol.ts";

function fetcher(env: Env, service: string): Fetcher | null {
  const binding: unknown = (env as unknown as Record<string, unknown>)[outboundBindingName(service)];
  return typeof binding === "object" && binding !== null && "fetch" in binding ? (binding as Fetcher) : null;
}

/** The gate's forwarded subrequest → the Outbound Worker's answer (or the stand-in's error). */
export async function viaOutbound(env: Env, service: string, request: Request): Promise<Response> {
  if (env.API_TOKEN === "" || !(await sameSecret(request.headers.get(OUTBOUND_TOKEN_HEADER) ?? "", env.API_TOKEN))) {
    return new Response("tenantscope-local: outbound forwarding needs the stand-in's token", { status: 401 });
  }
  const target = request.headers.get(OUTBOUND_URL_HEADER);
  const worker = fetcher(env, service);
  if (target === null) return new Response(`tenantscope-local: no ${OUTBOUND_URL_HEADER}`, { status: 400 });
  if (worker === null) {
    return new Response(`tenantscope-local: the Outbound Worker "${service}" is not running locally (no ${outboundBindingName(service)} binding)`, { status: 502 });
  }
  const headers = new Headers(request.headers);
  headers.delete(OUTBOUND_TOKEN_HEADER);
  headers.delete(OUTBOUND_URL_HEADER);
  return worker.fetch(new Request(target, { method: request.method, headers, body: request.body, redirect: "manual" }));
}
