// What a web page could make a browser send, refused before the token is even
// looked at. A page cannot read the answer without CORS, but it can send a
// "simple" request (text/plain POST) without a preflight, and the write happens
// all the same; and through DNS rebinding (its own name resolving to 127.0.0.1)
// it can even read. So:
// - a Host header must name an address the endpoint listens on (localhost,
//   127.0.0.1, [::1], the --host value, or one of this machine's own addresses
//   when listening on all of them), whatever the port: a rebound name is refused;
// - a request with an Origin header (which browsers add and other clients do
//   not) is refused unless --allow-origin names that origin.
import type { IncomingHttpHeaders } from "node:http";
import net from "node:net";
import os from "node:os";

const LOOPBACK_NAMES = ["localhost", "127.0.0.1", "::1"];
const WILDCARDS = ["0.0.0.0", "::"];

export class RequestGuard {
  private readonly hosts: Set<string>;
  private readonly origins: Set<string>;

  /** `listenHost`: the --host value; `allowedOrigins`: origins as --allow-origin gave them (normalised here). */
  constructor(listenHost: string, allowedOrigins: readonly string[] = []) {
    this.hosts = new Set([...LOOPBACK_NAMES, bare(listenHost).toLowerCase()]);
    if (WILDCARDS.includes(listenHost)) {
      for (const addrs of Object.values(os.networkInterfaces())) {
        for (const a of addrs ?? []) this.hosts.add(a.address.toLowerCase());
      }
    }
    this.origins = new Set(allowedOrigins.map(normalizeOrigin));
  }

  /** Why this request is refused (403), or undefined when it may go on. */
  refusal(headers: IncomingHttpHeaders): string | undefined {
    const host = headers.host;
    // HTTP/1.0 clients may send no Host; a browser always sends one.
    if (host !== undefined && !this.hosts.has(hostName(host))) {
      return `ERR Host '${printable(host)}' is not an address this endpoint listens on: refused (DNS rebinding); use http://127.0.0.1 or http://localhost`;
    }
    const origin = headers.origin;
    if (origin !== undefined && !this.origins.has(origin.toLowerCase())) {
      return `ERR requests from web pages are refused (Origin: ${printable(origin)}); start dev with --allow-origin ${printable(origin)} to allow that page`;
    }
    return undefined;
  }
}

/**
 * An --allow-origin value as browsers send it in Origin: scheme://host[:port],
 * lower case, no path; throws on anything else.
 */
export function normalizeOrigin(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`'${value}' is not an origin: expected scheme://host[:port], such as http://localhost:3000`);
  }
  if (url.origin === "null" || value.replace(/\/$/, "").toLowerCase() !== url.origin.toLowerCase()) {
    throw new Error(`'${value}' is not an origin: expected scheme://host[:port] with no path, such as ${url.origin}`);
  }
  return url.origin.toLowerCase();
}

/** The host name of a Host header value, without port or IPv6 brackets, lower case. */
function hostName(header: string): string {
  const h = header.trim().toLowerCase();
  if (h.startsWith("[")) {
    const end = h.indexOf("]");
    return end < 0 ? h : h.slice(1, end);
  }
  // A bare IPv6 address (no brackets) has more than one colon and no port.
  if (net.isIPv6(h)) return h;
  const colon = h.lastIndexOf(":");
  return colon < 0 ? h : h.slice(0, colon);
}

function bare(host: string): string {
  return host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
}

function printable(value: string): string {
  return value.slice(0, 100).replace(/[^\x20-\x7e]/g, "?");
}
