// 200,000 sessions in every listing mode: every session once, no other,
// checked against what `redis-cli --scan` finds (an independent walk of the
// same keyspace). Asserts the ids, never the timing.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Redis as IORedis } from "ioredis";
import { storedMessages } from "../harness/fixtures.js";
import { startIsolatedStack, type IsolatedStack } from "../harness/stack.js";
import { runCli } from "../harness/cli.js";

const N = 200_000;
const PREFIX = "scale:";
let s: IsolatedStack;
/** Session ids as redis-cli --scan finds them, sorted. */
let expected: string[];

beforeAll(async () => {
  s = await startIsolatedStack();
  const app = new IORedis(s.redisUrl);
  try {
    const els = storedMessages().map((f) => f.element);
    for (let start = 0; start < N; start += 10_000) {
      const pipe = app.pipeline();
      for (let i = start; i < start + 10_000; i++) {
        const key = `${PREFIX}u${i}`;
        pipe.lpush(key, els[i % els.length], els[(i + 1) % els.length]);
        if (i % 3 === 0) pipe.expire(key, 100_000 + i);
      }
      await pipe.exec();
    }
    // Keys that are no session of the prefix: another prefix, and a non-list under it.
    await app.lpush("other:u1", els[0]);
    await app.set(`${PREFIX}not-a-list`, "x");
  } finally {
    await app.quit();
  }
  const u = new URL(s.redisUrl);
  const { stdout } = await promisify(execFile)(
    "redis-cli",
    ["-h", u.hostname, "-p", u.port, "--scan", "--pattern", `${PREFIX}*`],
    { maxBuffer: 64 << 20, env: { ...process.env, REDISCLI_AUTH: decodeURIComponent(u.password) } },
  );
  expected = stdout
    .split("\n")
    .filter((k) => k && k !== `${PREFIX}not-a-list`)
    .map((k) => k.slice(PREFIX.length))
    .sort();
}, 120_000);
afterAll(async () => {
  await s?.close();
});

const sorted = (ids: string[]) => [...ids].sort();
const list = (args: string[]) =>
  runCli(["--prefix", PREFIX, ...args], { env: { UPSTASH_REDIS_REST_URL: s.redisUrl }, timeoutMs: 240_000 });

describe(`${N.toLocaleString("en")} sessions over redis://`, () => {
  it("redis-cli finds them all (the reference)", () => {
    expect(expected).toHaveLength(N);
  });

  const lines = (out: string) => out.trimEnd().split("\n");
  const ndjsonIds = (out: string) => lines(out).map((l) => JSON.parse(l).sessionId as string);
  const tsvIds = (out: string) => lines(out).map((l) => l.split("\t")[0]);
  const jsonIds = (out: string) => (JSON.parse(out) as { sessionId: string }[]).map((x) => x.sessionId);

  it.each([
    ["--ndjson", ndjsonIds],
    ["--json", jsonIds],
    ["piped table", tsvIds],
    ["--sort count", tsvIds],
    ["export", ndjsonIds],
  ])(
    "%s lists every session once, as redis-cli --scan finds them",
    async (mode, ids) => {
      const args =
        mode === "export"
          ? ["export", "--match", "*"]
          : ["sessions", "list", ...(mode === "piped table" ? [] : mode.split(" "))];
      const r = await list(args);
      expect(r.stderr).not.toMatch(/error/i);
      expect(r.code).toBe(0);
      const got = ids(r.stdout);
      expect(got).toHaveLength(N);
      // Every session holds 2 messages: --sort count orders them by name.
      if (mode === "--sort count") expect(got).toEqual(sorted(got));
      expect(sorted(got)).toEqual(expected);
    },
    300_000,
  );
});
