/**
 * What the runtime gives as `request.url` is built from the raw request line and
 * Host header, which the client controls: workerd accepts Hosts that `new URL()`
 * refuses (`a b`, `a%00`, a port of 99999), and a Host holding `/` moves its tail
 * into the path, where path routing would take it for a tenant. Both are checked
 * here, before any routing, and refused as `invalid_request`.
 */
import { DispatchError } from "./errors.ts";

/** RFC 3986 host: a reg-name of unreserved characters (DNS names, IPv4) or an IP literal in brackets. */
const REG_NAME = /^[a-z0-9._~-]+$/i;
const IP_LITERAL = /^\[[0-9a-f:.]+\]$/i;
const PORT = /^\d{1,5}$/;

/** A Host header value is `host[:port]`, nothing else; returns why not, or null. */
export function hostProblem(value: string): string | null {
  if (value === "") return "the Host header is empty";
  let host = value;
  let port: string | null = null;
  if (value.startsWith("[")) {
    const end = value.indexOf("]");
    if (end === -1) return "the Host header opens an IPv6 address it does not close";
    host = value.slice(0, end + 1);
    const rest = value.slice(end + 1);
    if (rest !== "") {
      if (!rest.startsWith(":")) return "the Host header has text after its IPv6 address";
      port = rest.slice(1);
    }
    if (!IP_LITERAL.test(host)) return "the Host header's IPv6 address holds characters an address cannot";
  } else {
    const colon = value.lastIndexOf(":");
    if (colon !== -1) {
      host = value.slice(0, colon);
      port = value.slice(colon + 1);
    }
    if (!REG_NAME.test(host)) return "the Host header holds characters a host name cannot";
  }
  if (port !== null && (!PORT.test(port) || Number(port) < 1 || Number(port) > 65_535)) {
    return "the Host header's port is not a number from 1 to 65535";
  }
  return null;
}

/** `a.example.com.` is the absolute form of the same host. */
function withoutDot(hostname: string): string {
  return hostname.replace(/\.$/, "");
}

function shown(value: string): string {
  const json = JSON.stringify(value);
  return json.length > 100 ? `${json.slice(0, 100)}…` : json;
}

/** The request's URL, or `invalid_request` when the runtime's URL or the Host cannot be trusted. */
export function requestUrl(request: Request): URL {
  const host = request.headers.get("host");
  if (host !== null) {
    const problem = hostProblem(host);
    if (problem !== null) throw new DispatchError("invalid_request", `Bad request: ${problem} (${shown(host)}).`);
  }
  const url = URL.parse(request.url);
  if (url === null) throw new DispatchError("invalid_request", `Bad request: the request target and Host do not form a URL (${shown(request.url)}).`);
  // A Host that passed the check above names exactly the URL's host; anything else means
  // part of it went somewhere else (into the path), so nothing is routed by it. Ports are
  // not compared: routing ignores them, and https drops a default :443 from the URL.
  if (host !== null && withoutDot(url.hostname) !== withoutDot(URL.parse(`http://${host}`)?.hostname ?? "")) {
    throw new DispatchError("invalid_request", `Bad request: the Host header ${shown(host)} does not match the request URL.`);
  }
  return url;
}
