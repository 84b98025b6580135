// The baseline for listing at scale: what a power user writes by hand with
// ioredis to list chat sessions over redis://. SCAN (MATCH, COUNT 1000, TYPE
// list) page by page; for each page one pipeline of TYPE, LLEN, TTL and
// LINDEX 0 per key; the newest element parsed as JSON; one NDJSON line per
// session, written a page at a time (waiting for stdout to drain).
//
//   node bench/baseline-script.mjs redis://127.0.0.1:6379/1 'prefix:*' > out.ndjson
import { Redis } from "ioredis";

const [url, match = "*"] = process.argv.slice(2);
if (!url) {
  process.stderr.write("usage: node bench/baseline-script.mjs REDIS_URL [MATCH]\n");
  process.exit(2);
}
const prefixLength = match.endsWith("*") && !/[?[\]\\]/.test(match) ? match.length - 1 : 0;
const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
await redis.connect();

const write = (text) => (process.stdout.write(text) ? undefined : new Promise((r) => process.stdout.once("drain", r)));

let cursor = "0";
do {
  const [next, keys] = await redis.scan(cursor, "MATCH", match, "COUNT", 1000, "TYPE", "list");
  cursor = next;
  if (!keys.length) continue;
  const p = redis.pipeline();
  for (const key of keys) p.type(key).llen(key).ttl(key).lindex(key, 0);
  const replies = await p.exec();
  let out = "";
  for (let i = 0; i < keys.length; i++) {
    const [[, type], [, count], [, ttl], [, newest]] = replies.slice(i * 4, i * 4 + 4);
    if (type !== "list" || count === 0) continue;
    let last = null;
    if (newest !== null) {
      try {
        const m = JSON.parse(newest);
        const role = { human: "user", ai: "assistant" }[m.type] ?? m.type;
        last = {
          role,
          content: typeof m.data?.content === "string" ? m.data.content : JSON.stringify(m.data?.content),
        };
      } catch {
        last = { role: "unrecognized", content: newest };
      }
    }
    out += `${JSON.stringify({ sessionId: keys[i].slice(prefixLength), key: keys[i], count, ttlSeconds: ttl < 0 ? null : ttl, last })}\n`;
  }
  await write(out);
} while (cursor !== "0");
redis.disconnect();
