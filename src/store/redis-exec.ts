// What one ioredis connection does for the redis:// transport, on a single
// Redis and on each node of a cluster alike: the connection options, one
// batch as one round trip with byte replies, and errors in our terms.
import type { Redis as IORedis, RedisOptions } from "ioredis";
import { ConnectionError, RedisReplyError } from "../errors/errors.js";
import { CONNECTION_REFUSED, TransientError } from "./retry.js";
import { bytesFromText, hasEscapedBytes } from "../text/bytes.js";
import type { Cmd, Outcome, Reply } from "./types.js";

/**
 * Options for every connection to a server of this URL (a cluster's nodes
 * get the same credentials). TLS is the caller's: the name to verify differs.
 */
export function connectionOptions(u: URL, timeoutMs: number): RedisOptions {
  return {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    // Never resend a command on our behalf: a write whose reply was lost
    // could then apply twice. Our own retry decides, per batch.
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    retryStrategy: (times) => (times > 2 ? null : 100 * times),
    enableReadyCheck: false,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
  };
}

/** One pipeline (or MULTI/EXEC) on one connection. Reply errors come back per command. */
export async function execBatch(client: IORedis, cmds: Cmd[], atomic: boolean): Promise<Outcome[]> {
  const batch = atomic ? client.multi() : client.pipeline();
  for (const [name, ...args] of cmds) batch.callBuffer(String(name), ...args.map(toArg));
  let results: [Error | null, unknown][] | null;
  try {
    results = await batch.exec();
  } catch (err) {
    throw classify(err as Error, false);
  }
  if (!results) throw new TransientError("the transaction was aborted", false);
  return results.map(([err, value]) => {
    if (err) {
      if (isReplyError(err)) return { ok: false as const, error: err.message };
      throw classify(err, false);
    }
    return { ok: true as const, value: toReply(value) };
  });
}

/** Strings carrying bytes that are not UTF-8 (see bytes.ts) go as those bytes. */
function toArg(a: Cmd[number]): string | Buffer {
  if (typeof a === "number") return String(a);
  return typeof a === "string" && hasEscapedBytes(a) ? bytesFromText(a) : a;
}

export function toReply(v: unknown): Reply {
  if (v === null || v === undefined) return null;
  if (typeof v === "number" || Buffer.isBuffer(v)) return v;
  if (typeof v === "string") return Buffer.from(v);
  if (Array.isArray(v)) return v.map(toReply);
  return null;
}

export function isReplyError(err: Error): boolean {
  return err.name === "ReplyError";
}

export function isAuthFailure(err: Error): boolean {
  return isReplyError(err) && /^(WRONGPASS|NOAUTH|NOPERM)|invalid password/.test(err.message);
}

/** A certificate the TLS handshake refused (ioredis then only says "Connection is closed"). */
export function tlsFailure(err: Error | undefined): Error | undefined {
  const code = (err as { code?: string } | undefined)?.code ?? "";
  return /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ERR_TLS_/.test(code) ? err : undefined;
}

/**
 * A server that answered, but not in the Redis protocol (an HTTP port: the
 * REST API, a web server): ioredis only reports the first byte it could not parse.
 */
export function notRedis(err: Error | undefined, target: string): ConnectionError | undefined {
  const byte = /^Protocol error, got "(.)" as reply type byte/.exec(err?.message ?? "")?.[1];
  if (byte === undefined) return undefined;
  const what = byte === "H" ? "HTTP" : "something other than the Redis protocol";
  return new ConnectionError(
    `the server at ${target.replace(/^rediss?:\/\//, "")} answered ${what}, not Redis`,
    byte === "H"
      ? "that port serves HTTP: a redis:// URL needs the Redis port (6379 by default); for the REST API use its https:// URL and token"
      : "check the port in the redis:// URL (Redis listens on 6379 by default)",
  );
}

export function classify(err: Error, connecting: boolean): Error {
  if (tlsFailure(err)) {
    return new ConnectionError(
      `the server's TLS certificate was refused (${(err as { code?: string }).code}: ${err.message})`,
      "a server with a certificate of its own CA: point NODE_EXTRA_CA_CERTS at that CA's certificate",
    );
  }
  if (isReplyError(err)) {
    const m = err.message;
    if (/^(WRONGPASS|NOAUTH|NOPERM)/.test(m) || m.includes("invalid password")) {
      return new ConnectionError(
        `Redis refused the credentials (${m.split("\n")[0]})`,
        "check the password in the redis:// URL",
      );
    }
    // EXECABORT and friends: the whole transaction was discarded.
    return new RedisReplyError(m.replace(/^EXECABORT Transaction discarded because of: /, ""));
  }
  const code = (err as { code?: string }).code;
  if (code === "ENOTFOUND" || code === "EAI_AGAIN")
    return new TransientError("cannot resolve the host name (DNS)", true);
  if (code === "ECONNREFUSED") return new TransientError(CONNECTION_REFUSED, true);
  if (/timed? ?out/i.test(err.message)) return new TransientError("no answer in time", connecting);
  // ioredis's words for "the connection went away with the command in flight".
  if (err.name === "MaxRetriesPerRequestError" || /Connection is closed/.test(err.message))
    return new TransientError("the connection closed before Redis answered", connecting);
  return new TransientError(err.message, connecting);
}
