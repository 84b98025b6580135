// Opens the right transport for a URL. Transports are imported here, on first
// use, so commands that never talk to Redis (help, config) never load them.
import { UsageError } from "../errors/errors.js";
import type { Store, StoreOptions } from "./types.js";
import { transportOf } from "./url.js";

export async function openStore(opts: StoreOptions): Promise<Store> {
  let parsed: URL;
  try {
    parsed = new URL(opts.url);
  } catch {
    throw new UsageError(
      `not a URL: '${opts.url}'`,
      "expected https://<db>.upstash.io or redis://[:password@]host:port",
    );
  }
  if (transportOf(opts.url) === "redis") {
    const { RedisStore } = await import("./redis.js");
    return new RedisStore(opts);
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
    throw new UsageError(`unsupported URL scheme '${parsed.protocol}'`, "use https:// (REST) or redis:// / rediss://");
  }
  const { RestStore } = await import("./rest.js");
  return new RestStore(opts);
}
