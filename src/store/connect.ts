// Opens the right transport for a URL. Transports are imported here, on first
// use, so commands that never talk to Redis (help, config) never load them.
import { ConnectionError, UsageError } from "../errors/errors.js";
import type { Store, StoreOptions } from "./types.js";
import { restUrlPath, transportOf } from "./url.js";

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
  // Doctor's diagnosis, for every command: a 404 from a route that does not exist says nothing.
  const path = restUrlPath(parsed);
  if (path) throw new ConnectionError(path.message, path.hint);
  const { RestStore } = await import("./rest.js");
  return new RestStore(opts);
}
