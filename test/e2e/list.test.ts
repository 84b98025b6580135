// `sessions list` in bounded memory: without --sort every output streams in
// scan order (--json as one array written element by element); with --sort
// the scan keeps compact records, sorts them, then reads the newest messages
// in sorted order: the same Redis commands, one more request per 1,000 shown.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Redis as IORedis } from "ioredis";
import { TRANSPORTS, type TransportName } from "../harness/transports.js";
import { storedMessages } from "../harness/fixtures.js";
import { startIsolatedStack, type IsolatedStack } from "../harness/stack.js";
import { runCli, type RunOptions } from "../harness/cli.js";

// A Redis of this file's own: request and command counts depend on the whole keyspace SCAN walks.
let s: IsolatedStack;
let app: IORedis;
beforeAll(async () => {
  s = await startIsolatedStack();
  app = new IORedis(s.redisUrl);
});
afterAll(async () => {
  await app.quit();
  await s.close();
});

const stats = (stderr: string) => {
  const m = /stats: (\d+) [^,]+, (\d+) Redis commands/.exec(stderr)!;
  return { requests: Number(m[1]), commands: Number(m[2]) };
};

/** `n` sessions s0..s{n-1}, session i holding i % 7 + 1 messages; every third with a TTL. */
async function seed(n: number): Promise<string> {
  const prefix = `tl${randomUUID().slice(0, 8)}:`;
  const els = storedMessages().map((f) => f.element);
  const pipe = app.pipeline();
  for (let i = 0; i < n; i++) {
    const key = `${prefix}s${i}`;
    for (let j = 0; j <= i % 7; j++) pipe.lpush(key, els[j % els.length]);
    if (i % 3 === 0) pipe.expire(key, 1000 + i);
  }
  await pipe.exec();
  return prefix;
}

// Exact counts need a keyspace of the file's own: the cluster's sorted lists are compared with one Redis in cluster.test.ts.
describe.each(TRANSPORTS.filter((t) => t !== "cluster"))("sessions list over %s", (transport: TransportName) => {
  const cli = (args: string[], opts: RunOptions = {}) =>
    runCli(args, {
      ...opts,
      env:
        transport === "rest"
          ? { UPSTASH_REDIS_REST_URL: s.restUrl, UPSTASH_REDIS_REST_TOKEN: s.restToken }
          : { UPSTASH_REDIS_REST_URL: s.redisUrl },
    });
  let prefix: string;
  const N = 1500;
  beforeAll(async () => {
    prefix = await seed(N);
  });

  it("--json without --sort: one array, printed as JSON.stringify(list, null, 2) would, every session once", async () => {
    const r = await cli(["sessions", "list", "--prefix", prefix, "--json"]);
    expect(r.code).toBe(0);
    const v = JSON.parse(r.stdout) as { sessionId: string; count: number; last: { content: string } }[];
    expect(r.stdout).toBe(`${JSON.stringify(v, null, 2)}\n`);
    expect(v).toHaveLength(N);
    expect(new Set(v.map((s) => s.sessionId)).size).toBe(N);
    const s9 = v.find((s) => s.sessionId === "s9")!;
    expect(s9.count).toBe(3);
    expect(s9.last.content).toBe(JSON.parse(storedMessages()[2].element).data.content);
  });

  it("an empty list is []", async () => {
    const r = await cli(["sessions", "list", "--prefix", `none-${randomUUID()}:`, "--json"]);
    expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 0, stdout: "[]\n" });
  });

  it.each([
    ["name", (a: Row, b: Row) => (a.sessionId < b.sessionId ? -1 : 1)],
    ["count", (a: Row, b: Row) => b.count - a.count || (a.sessionId < b.sessionId ? -1 : 1)],
    [
      "ttl",
      (a: Row, b: Row) =>
        (a.ttlSeconds ?? Infinity) - (b.ttlSeconds ?? Infinity) || (a.sessionId < b.sessionId ? -1 : 1),
    ],
  ] as const)(
    "--sort %s: every output mode in order, newest messages matching, the same commands as a scan",
    async (field, order) => {
      const plain = await cli(["sessions", "list", "--prefix", prefix, "--json", "--stats"]);
      const sorted = await cli(["sessions", "list", "--prefix", prefix, "--json", "--sort", field, "--stats"]);
      expect(sorted.code).toBe(0);
      const rows = JSON.parse(sorted.stdout) as Row[];
      expect(rows.map((r) => r.sessionId)).toEqual([...rows].sort(order).map((r) => r.sessionId));
      // The same sessions and newest messages as the scan-order list (TTLs tick between the runs).
      const same = (list: Row[]) =>
        list
          .map((r) => ({ ...r, ttlSeconds: r.ttlSeconds === null ? null : "set" }))
          .sort((a, b) => (a.sessionId < b.sessionId ? -1 : 1));
      expect(same(rows)).toEqual(same(JSON.parse(plain.stdout)));
      // One extra request per 1,000 sessions for the newest messages; the same Redis commands.
      const a = stats(plain.stderr);
      const b = stats(sorted.stderr);
      expect(b.commands).toBe(a.commands);
      expect(b.requests).toBe(a.requests + Math.ceil(N / 1000));
      const nd = await cli(["sessions", "list", "--prefix", prefix, "--ndjson", "--sort", field]);
      expect(
        nd.stdout
          .trim()
          .split("\n")
          .map((l) => JSON.parse(l).sessionId),
      ).toEqual(rows.map((r) => r.sessionId));
      const tsv = await cli(["sessions", "list", "--prefix", prefix, "--sort", field]);
      expect(
        tsv.stdout
          .trim()
          .split("\n")
          .map((l) => l.split("\t")[0]),
      ).toEqual(rows.map((r) => r.sessionId));
    },
  );

  it("--sort with --limit reads the newest message of the sessions shown only", async () => {
    const r = await cli([
      "sessions",
      "list",
      "--prefix",
      prefix,
      "--json",
      "--sort",
      "count",
      "--limit",
      "5",
      "--stats",
    ]);
    const rows = JSON.parse(r.stdout) as Row[];
    expect(rows.map((x) => x.count)).toEqual([7, 7, 7, 7, 7]);
    const all = stats((await cli(["sessions", "list", "--prefix", prefix, "--json", "--stats"])).stderr);
    expect(stats(r.stderr).commands).toBe(all.commands - N + 5);
  });

  it("--limit without --sort stops the scan early", async () => {
    const r = await cli(["sessions", "list", "--prefix", prefix, "--ndjson", "--limit", "3", "--stats"]);
    expect(r.stdout.trim().split("\n")).toHaveLength(3);
    const all = stats((await cli(["sessions", "list", "--prefix", prefix, "--ndjson", "--stats"])).stderr);
    expect(stats(r.stderr).requests).toBeLessThan(all.requests);
  });
});

interface Row {
  sessionId: string;
  count: number;
  ttlSeconds: number | null;
}
