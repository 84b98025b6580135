// What a URL says before anything is opened: which transport it names, and
// whether it points at this machine.

export function transportOf(url: string): "rest" | "redis" {
  return /^rediss?:\/\//i.test(url) ? "redis" : "rest";
}

/**
 * A REST URL with anything after the host (`https://x.upstash.io/v1/`): every
 * request would go to a route that does not exist. What to say, or undefined.
 */
export function restUrlPath(u: URL): { message: string; hint: string } | undefined {
  if ((u.pathname === "/" || u.pathname === "") && !u.search && !u.hash) return undefined;
  const extra = `${u.pathname}${u.search}${u.hash}`;
  return {
    message: `the REST URL has a trailing path '${extra.slice(0, 60)}': requests would go to ${u.pathname.replace(/\/+$/, "")}/pipeline and fail`,
    hint: `use the URL exactly as the console shows it, nothing after the host: ${u.protocol}//${u.host}`,
  };
}

/** A URL whose host is this machine (localhost, 127.0.0.0/8, ::1). */
export function isLoopbackUrl(url: string): boolean {
  try {
    const host = new URL(url).hostname.replace(/^\[|\]$/g, "");
    return host === "localhost" || host === "::1" || /^127\./.test(host);
  } catch {
    return false;
  }
}
