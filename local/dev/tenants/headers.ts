/** Header handling for the supervisor's proxying: raw pairs, so repeated headers (Set-Cookie) survive. */

/** Hop-by-hop headers, which a proxy must not pass on. */
export const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "proxy-connection", "upgrade"]);

export function headerPairs(raw: readonly string[], drop: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] ?? "";
    if (!drop.has(name.toLowerCase())) out.push(name, raw[i + 1] ?? "");
  }
  return out;
}
