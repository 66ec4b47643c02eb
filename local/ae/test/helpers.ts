/** Where the AE tests send their requests: the AE Worker's own paths (Cloudflare's). */
export const TOKEN = "local";
export const API = "http://api.local/client/v4/accounts/local";
