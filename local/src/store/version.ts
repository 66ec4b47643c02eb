/**
 * A script version's id as Cloudflare shows it (a UUID: wrangler's "Current Version
 * ID", the trace's `scriptVersion.id`), derived from the upload's content etag, so the
 * upload answer and every trace of that version name it alike.
 */
export function versionIdOf(etag: string): string {
  const hex = etag.padEnd(32, "0").slice(0, 32);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
