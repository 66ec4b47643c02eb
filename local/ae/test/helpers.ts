/** Where the AE tests send their requests: the AE Worker's own paths (Cloudflare's). */
export const TOKEN = "local";
export const API = "http://api.local/client/v4/accounts/local";

/**
 * A response body as text. workerd warns when `text()` reads a body whose type is not
 * text (JSONEachRow answers `application/x-ndjson`); decoding the bytes gives the
 * same string without that warning.
 */
export async function bodyText(res: Response): Promise<string> {
  return new TextDecoder().decode(await res.arrayBuffer());
}
