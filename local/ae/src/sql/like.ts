/** LIKE is case-sensitive in ClickHouse but not in SQLite; GLOB is, so LIKE patterns become GLOB patterns. */
export function likeToGlob(pattern: string): string {
  let glob = "";
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern.charAt(i);
    if (ch === "\\" && i + 1 < pattern.length) { glob += escapeGlob(pattern.charAt(++i)); continue; }
    glob += ch === "%" ? "*" : ch === "_" ? "?" : escapeGlob(ch);
  }
  return glob;
}
function escapeGlob(ch: string): string {
  return ch === "*" || ch === "?" || ch === "[" ? `[${ch}]` : ch;
}
