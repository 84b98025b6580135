// Connection, part 4: talking to Redis. PING alone first (its time is the
// round trip the app pays on every command), then one request that probes
// permissions and counts keys. The write probe is LPUSHX on a key that does
// not exist: LPUSHX only pushes onto an existing list, so it changes nothing,
// yet Redis (and Upstash) refuse it with NOPERM to a token that may not write.
import { randomBytes } from "node:crypto";
import { openStore } from "../store/connect.js";
import type { Outcome, Store } from "../store/types.js";
import { asInt, asText, unwrap } from "../store/replies.js";
import type { CliError } from "../errors/errors.js";
import type { Endpoint } from "./url-shape.js";
import type { Target } from "./config.js";
import { plural, type Findings } from "./checks.js";

export interface Access {
  store: Store;
  /** Whether SCAN is allowed (read-only Upstash tokens may not run it). */
  canScan: boolean;
  /** The session with the empty id (key: the prefix alone): its type and length, read in the same request. */
  emptyId: { key: string; type: string; count: number };
}

export interface AccessOptions {
  timeoutMs: number;
  debug?: (line: string) => void;
}

const TOKEN_HINT =
  "a Redis password (the one inside the rediss:// URL) is not a REST token and gets HTTP 401: copy UPSTASH_REDIS_REST_TOKEN from the console's REST API section";
const PASSWORD_HINT =
  "check the password in the redis:// URL: for Upstash it is the database password, not the REST token";

/** Opens the store and checks it answers; undefined when nothing more can be asked of it. */
export async function checkAccess(
  f: Findings,
  e: Endpoint,
  t: Target,
  opts: AccessOptions,
): Promise<Access | undefined> {
  if (!e.sendToken) return undefined;
  // ioredis reports a refused AUTH as a connection event, then only says
  // "Connection is closed": keep what it logged to name the real cause.
  const logged: string[] = [];
  const debug = (line: string) => {
    logged.push(line);
    opts.debug?.(line);
  };
  let store: Store;
  try {
    store = await openStore({ url: e.url, token: t.token?.value, timeoutMs: opts.timeoutMs, attempts: 1, debug });
  } catch (err) {
    const failure = err as CliError;
    f.add("connection", "ping", "fail", failure.message, failure.hint);
    return undefined;
  }
  if (!(await ping(f, store, e, t, logged))) {
    await store.close();
    return undefined;
  }
  const probed = await probePermissions(f, store, t.resolved.prefix);
  return { store, ...probed };
}

const REDIS_AUTH_ERROR = /\b(WRONGPASS|NOAUTH)\b[^\n]*|invalid password[^\n]*/;

async function ping(f: Findings, store: Store, e: Endpoint, t: Target, logged: string[]): Promise<boolean> {
  const started = Date.now();
  try {
    const [pong] = await store.pipeline([["PING"]], { idempotent: true });
    const reply = asText(unwrap(pong));
    const ms = Date.now() - started;
    if (reply !== "PONG") {
      f.add(
        "connection",
        "ping",
        "fail",
        `unexpected answer to PING: '${reply.slice(0, 40)}'`,
        "is this a Redis server, or an Upstash REST endpoint?",
      );
      return false;
    }
    f.add("connection", "ping", "pass", `PING ${ms} ms`);
    if (t.token) f.add("connection", "auth", "pass", `the token from ${t.tokenLabel} is accepted`);
    else if (new URL(e.url).password)
      f.add("connection", "auth", "pass", "the password in the redis:// URL is accepted");
    return true;
  } catch (err) {
    const c = err as CliError;
    // The REST transport words a refused token this way (store/rest.ts).
    if (/refused the (token|credentials)/.test(c.message)) {
      const message = t.token ? c.message.replace("the token", `the token from ${t.tokenLabel}`) : c.message;
      f.add("connection", "auth", "fail", message, t.token ? TOKEN_HINT : PASSWORD_HINT);
      return false;
    }
    const redisAuth = REDIS_AUTH_ERROR.exec([c.message, ...logged].join("\n"));
    if (redisAuth) {
      f.add("connection", "auth", "fail", `Redis refused the credentials (${redisAuth[0].trim()})`, PASSWORD_HINT);
    } else {
      f.add("connection", "ping", "fail", c.message, c.hint);
    }
    return false;
  }
}

async function probePermissions(f: Findings, store: Store, prefix: string): Promise<Omit<Access, "store">> {
  const probeKey = `${prefix}upstash-memory-doctor-probe-${randomBytes(8).toString("hex")}`;
  // The empty session id's key rides along: doctor reports a history there whatever session it checks.
  const emptyId = { key: prefix, type: "none", count: 0 };
  let outcomes: Outcome[];
  try {
    outcomes = await store.pipeline(
      [["SCAN", "0", "COUNT", "1"], ["LPUSHX", probeKey, "probe"], ["DBSIZE"], ["TYPE", prefix], ["LLEN", prefix]],
      { idempotent: true },
    );
  } catch (err) {
    f.add("connection", "access", "fail", (err as Error).message, (err as CliError).hint);
    return { canScan: false, emptyId };
  }
  const [scan, write, dbsize, emptyType, emptyLength] = outcomes;
  if (emptyType.ok) emptyId.type = asText(emptyType.value);
  if (emptyId.type === "list" && emptyLength.ok) emptyId.count = asInt(emptyLength.value);
  const noPerm = (o: Outcome) => !o.ok && o.error.startsWith("NOPERM");
  if (noPerm(scan) && noPerm(write)) {
    f.add(
      "connection",
      "access",
      "warn",
      "read-only token: it can read histories but cannot SCAN or write",
      "the app (LangChain/Flowise) needs the standard token to store messages; with this one doctor cannot search for similar keys either",
    );
  } else if (noPerm(write)) {
    f.add(
      "connection",
      "access",
      "warn",
      "this token cannot write (NOPERM): an app using it cannot store messages",
      "give the app a token or user with write access to the chat keys",
    );
  } else if (noPerm(scan)) {
    f.add(
      "connection",
      "access",
      "warn",
      "this token cannot SCAN: `sessions list` and doctor's search for similar keys need it",
      "use the standard token to list sessions",
    );
  } else if (!scan.ok || !write.ok) {
    const error = !scan.ok ? scan.error : !write.ok ? write.error : "";
    f.add("connection", "access", "warn", `could not check permissions: ${error.split("\n")[0]}`);
  } else {
    f.add("connection", "access", "pass", "read and write access (SCAN and writes allowed)");
  }
  if (dbsize.ok) {
    const n = asInt(dbsize.value);
    if (n === 0) {
      f.add(
        "connection",
        "dbsize",
        "warn",
        "the database is empty (DBSIZE 0)",
        "is the app writing to this database? compare its UPSTASH_REDIS_REST_URL with the URL above",
      );
    } else {
      f.add("connection", "dbsize", "info", `DBSIZE ${plural(n, "key")}`);
    }
  }
  return { canScan: scan.ok, emptyId };
}
