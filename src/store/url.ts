// What a URL says before anything is opened: which transport it names, and
// whether it points at this machine.

export function transportOf(url: string): "rest" | "redis" {
  return /^rediss?:\/\//i.test(url) ? "redis" : "rest";
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
