// Reading typed values out of replies, with one place that turns a Redis error
// reply into a typed error.
import { RedisReplyError, ConnectionError } from "../errors/errors.js";
import type { Outcome, Reply } from "./types.js";

export function unwrap(o: Outcome): Reply {
  if (o.ok) return o.value;
  if (o.error.startsWith("NOPERM")) {
    throw new ConnectionError(
      `the token may not run this command (${o.error})`,
      "a read-only token can read histories but cannot SCAN or write: use the standard token",
    );
  }
  if (/^(NOAUTH|WRONGPASS)/.test(o.error)) {
    throw new ConnectionError(`Redis refused the credentials (${o.error})`, "check the password in the redis:// URL");
  }
  throw new RedisReplyError(o.error);
}

export function asInt(r: Reply): number {
  if (typeof r === "number") return r;
  if (Buffer.isBuffer(r)) return Number(r.toString("latin1"));
  throw new TypeError(`expected an integer reply, got ${describe(r)}`);
}

export function asText(r: Reply): string {
  if (Buffer.isBuffer(r)) return r.toString("utf8");
  if (typeof r === "number") return String(r);
  throw new TypeError(`expected a string reply, got ${describe(r)}`);
}

export function asBytes(r: Reply): Buffer {
  if (Buffer.isBuffer(r)) return r;
  throw new TypeError(`expected a bulk string reply, got ${describe(r)}`);
}

export function asArray(r: Reply): Reply[] {
  if (Array.isArray(r)) return r;
  if (r === null) return [];
  throw new TypeError(`expected an array reply, got ${describe(r)}`);
}

export function asBytesList(r: Reply): Buffer[] {
  return asArray(r).map(asBytes);
}

function describe(r: Reply): string {
  if (r === null) return "nil";
  if (Array.isArray(r)) return "an array";
  return typeof r === "number" ? "an integer" : "a string";
}
