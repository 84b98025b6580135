// Upstash's `SCAN cursor [MATCH p] [COUNT n] [TYPE t] WITHTYPE` extension, which
// plain Redis lacks: run the SCAN without WITHTYPE, then TYPE of every key it
// returned in one pipeline, and answer [cursor, [key1, type1, key2, type2, ...]].
// @upstash/redis sends it as a lower-case trailing "withtype" and reads pairs.
import type { Redis } from "ioredis";
import { isKeyword } from "./command-name.js";
import type { Argv } from "./routes.js";

/** SCAN options that take a value, so WITHTYPE is only looked for between them. */
const VALUE_OPTIONS = ["MATCH", "COUNT", "TYPE"];

/** The SCAN (canonical name first) without its WITHTYPE flag, or undefined when it is not SCAN ... WITHTYPE. */
export function withoutWithType(argv: Argv): Argv | undefined {
  if (argv[0] !== "SCAN") return undefined;
  for (let i = 2; i < argv.length; i++) {
    if (VALUE_OPTIONS.some((option) => isKeyword(argv[i], option))) i++;
    else if (isKeyword(argv[i], "WITHTYPE")) return [...argv.slice(0, i), ...argv.slice(i + 1)];
  }
  return undefined;
}

/** Pair each key of a SCAN reply with its type. Keys that expired in between are left out. */
export async function attachTypes(conn: Redis, scanReply: unknown): Promise<unknown> {
  if (!Array.isArray(scanReply) || !Array.isArray(scanReply[1])) return scanReply;
  const [cursor, keys] = scanReply as [Buffer, Buffer[]];
  if (keys.length === 0) return [cursor, []];
  const pipeline = conn.pipeline();
  for (const key of keys) pipeline.callBuffer("TYPE", key);
  const types = (await pipeline.exec()) ?? [];
  const pairs: Buffer[] = [];
  keys.forEach((key, i) => {
    const [err, type] = types[i] ?? [];
    if (err) throw err;
    if (Buffer.isBuffer(type) && type.toString() !== "none") pairs.push(key, type);
  });
  return [cursor, pairs];
}
