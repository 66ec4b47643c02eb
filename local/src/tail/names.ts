/**
 * How a script's `tail_consumers` entry finds its Worker locally: the dev runner
 * (or a test config) gives the stand-in one service binding per consumer it runs,
 * named after the service. Production never reads these; Cloudflare attaches
 * consumers itself.
 */
export function tailBindingName(service: string): string {
  return `TAIL_${service.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`;
}
