/**
 * What the tenant host's gate, the stand-in and the dev runner agree on for Outbound
 * Workers (outbound.ts): plain constants, imported by all three.
 */

/** The stand-in's token, on the gate's request (the tenant's own `authorization` stays as it is). */
export const OUTBOUND_TOKEN_HEADER = "x-tenantscope-outbound-token";
/** The subrequest's own URL; the gate's request goes to PLATFORM_PATHS.outbound. */
export const OUTBOUND_URL_HEADER = "x-tenantscope-outbound-url";

/** The stand-in's service binding to an Outbound Worker, added by the dev runner. */
export function outboundBindingName(service: string): string {
  return `OUTBOUND_${service.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`;
}
