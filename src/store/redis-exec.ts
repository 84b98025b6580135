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

/**
 * One pipeline (or MULTI/EXEC) on one connection. Reply errors come back per
 * command. The batch has one timer of `commandTimeout` (the connection's
 * option) instead of one per command: a page of a listing is 3,000
 * commands, and 3,000 timers set and cleared per page were a tenth of the
 * CPU of `sessions list` over a million sessions.
 */
export async function execBatch(client: IORedis, cmds: Cmd[], atomic: boolean): Promise<Outcome[]> {
  const batch = atomic ? client.multi() : client.pipeline();
  for (const cmd of cmds) {
    const args: (string | Buffer)[] = new Array(cmd.length - 1);
    for (let i = 1; i < cmd.length; i++) args[i - 1] = toArg(cmd[i]);
    batch.callBuffer(String(cmd[0]), ...args);
  }
  let results: [Error | null, unknown][] | null;
  try {
    results = await oneTimer(client, () => batch.exec());
  } catch (err) {
    throw classify(err as Error, false);
  }
  if (!results) throw new TransientError("the transaction was aborted", false);
  const outcomes: Outcome[] = new Array(results.length);
  for (let i = 0; i < results.length; i++) {
    const [err, value] = results[i];
    if (err) {
      if (!isReplyError(err)) throw classify(err, false);
      outcomes[i] = { ok: false, error: err.message };
    } else outcomes[i] = { ok: true, value: toReply(value) };
  }
  return outcomes;
}

/**
 * Runs `exec` (which hands its commands to the connection synchronously when
 * it is ready) without ioredis's per-command timer, under one timer for the
 * whole batch that fails it as a command timeout would.
 */
async function oneTimer<T>(client: IORedis, exec: () => Promise<T>): Promise<T> {
  const timeoutMs = client.options.commandTimeout;
  if (typeof timeoutMs !== "number") return exec();
  let sent: Promise<T>;
  client.options.commandTimeout = undefined;
  try {
    sent = exec();
  } finally {
    client.options.commandTimeout = timeoutMs;
  }
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("Command timed out")), timeoutMs);
  });
  sent.catch(() => {}); // a failure after the timer fired has nobody to tell
  try {
    return await Promise.race([sent, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Strings carrying bytes that are not UTF-8 (see bytes.ts) go as those bytes. */
function toArg(a: Cmd[number]): string | Buffer {
  if (typeof a === "number") return String(a);
  return typeof a === "string" && hasEscapedBytes(a) ? bytesFromText(a) : a;
}

export function toReply(v: unknown): Reply {
  if (v === null || v === undefined) return null;
  if (typeof v === "number" || v instanceof Buffer) return v;
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
