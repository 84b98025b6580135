// A Redis Cluster gives the same answers as one Redis holding the same keys:
// every listing and --match command runs on both, side by side, and the
// outputs and resulting data are compared. Also: the cost per master.
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { Redis as IORedis } from "ioredis";
import { appOn, cliOn, lrangeBytes, writeConversation } from "../harness/transports.js";
import { MALFORMED, storedMessages } from "../harness/fixtures.js";
import type { RunResult } from "../harness/cli.js";

const single = appOn("redis");
const cluster = appOn("cluster");
const onRedis = cliOn("redis");
const onCluster = cliOn("cluster");
const tmp = (name: string) => path.join(fs.mkdtempSync(path.join(os.tmpdir(), "um-cl-")), name);

/** The same sessions on both: plain ones with TTLs, hash-tagged ones, hostile bytes, and a non-list key. */
async function seed(prefix: string, sessions = 300): Promise<string[]> {
  const els = storedMessages().map((f) => f.element);
  const keys: string[] = [];
  for (const app of [single, cluster]) {
    const writes: Promise<void>[] = [];
    for (let i = 0; i < sessions; i++) {
      const key = `${prefix}u${i}`;
      if (app === single) keys.push(key);
      writes.push(writeConversation(app, key, els.slice(0, 1 + (i % 6)), i % 3 === 0 ? 3600 : undefined));
    }
    for (const t of ["a", "b", "c"]) writes.push(writeConversation(app, `${prefix}{team}${t}`, els.slice(0, 3)));
    writes.push(
      writeConversation(app, `${prefix}hostile`, [
        ...MALFORMED.map((m) => m.element),
        Buffer.from([0x7b, 0xff, 0xfe, 0x00]),
      ]),
    );
    writes.push(app.set(`${prefix}not-a-chat`, "x").then(() => undefined));
    await Promise.all(writes);
  }
  return keys;
}

async function both(args: string[]): Promise<[RunResult, RunResult]> {
  return Promise.all([onRedis(args), onCluster(args)]);
}

const lines = (s: string) => s.trim().split("\n").filter(Boolean).sort();

/** TTLs rounded to the minute (the two runs are a moment apart). */
function roughTtls(stdout: string): unknown {
  return JSON.parse(stdout, (k, v) => (k === "ttlSeconds" && typeof v === "number" ? Math.round(v / 60) : v));
}

/** As roughTtls, with lists in key order where the command reports them in SCAN order (a hash order, not the same on both). */
function unordered(stdout: string): unknown {
  const name = (x: unknown) => (typeof x === "string" ? x : String((x as { key?: string })?.key ?? JSON.stringify(x)));
  return JSON.parse(JSON.stringify(roughTtls(stdout)), (_k, v) =>
    Array.isArray(v) ? [...v].sort((a, b) => (name(a) < name(b) ? -1 : 1)) : v,
  );
}

/** Tab-separated lines with TTL seconds (numbers above the counts used here) rounded to the minute. */
const plainTtl = (s: string) => s.replace(/\t(\d{3,})(?=\t|$)/gm, (_m, n) => `\t~${Math.round(Number(n) / 60)}m`);

describe("on a Redis Cluster, every command answers as on one Redis with the same keys", () => {
  it("sessions list in every mode, and export", async () => {
    const prefix = `cl${randomUUID().slice(0, 8)}:`;
    await seed(prefix);
    const list = await both(["sessions", "list", "--prefix", prefix, "--json"]);
    expect(list.map((r) => r.code)).toEqual([0, 0]);
    expect(JSON.parse(list[0].stdout)).toHaveLength(304);
    // Without --sort a list comes in SCAN order (a hash order, not the same on both): compared as sets.
    expect(unordered(list[1].stdout)).toEqual(unordered(list[0].stdout));
    expect(list[1].stderr).toBe(list[0].stderr);

    for (const args of [
      ["sessions", "list", "u1*", "--sort", "count", "--limit", "7", "--json"],
      ["sessions", "list", "--sort", "count", "--json"],
      ["sessions", "list", "--sort", "count", "--ndjson"],
      ["sessions", "list", "--sort", "name", "--limit", "50", "--json"],
      ["sessions", "list", "{team}*", "--json"],
      ["sessions", "list"],
    ]) {
      const [a, b] = await both([...args, "--prefix", prefix]);
      const sorted = args.includes("--sort");
      const out = (r: RunResult) =>
        args.includes("--json")
          ? (sorted ? roughTtls : unordered)(r.stdout)
          : args.includes("--ndjson")
            ? r.stdout.trim().split("\n").map(roughTtls)
            : sorted
              ? plainTtl(r.stdout)
              : lines(plainTtl(r.stdout));
      expect({ args, code: b.code, out: out(b) }).toEqual({ args, code: a.code, out: out(a) });
    }
    const nd = await both(["sessions", "list", "--prefix", prefix, "--ndjson"]);
    expect(lines(nd[1].stdout).map((l) => JSON.parse(l).key)).toEqual(
      lines(nd[0].stdout).map((l) => JSON.parse(l).key),
    );

    const ex = await both(["export", "--prefix", prefix]);
    expect(ex.map((r) => r.code)).toEqual([0, 0]);
    expect(lines(ex[1].stdout).map((l) => roughTtls(l))).toEqual(lines(ex[0].stdout).map((l) => roughTtls(l)));
    expect(ex[1].stderr).toBe(ex[0].stderr);
    const matched = await both(["export", "--match", "u2*", "--prefix", prefix]);
    expect(lines(matched[1].stdout).length).toBe(lines(matched[0].stdout).length);
    expect(lines(matched[1].stdout).length).toBe(1 + 10 + 100);
  });

  it("expire --match, clear --match and summarize --match change the same sessions the same way", async () => {
    const prefix = `cl${randomUUID().slice(0, 8)}:`;
    const keys = await seed(prefix, 120);
    // Matches come in SCAN order on both (a hash order, not the same one): compared as sets.
    const dry = await both(["expire", "--match", "u1*", "2h", "--dry-run", "--prefix", prefix]);
    expect(dry.map((r) => r.code)).toEqual([0, 0]);
    expect(lines(plainTtl(dry[1].stdout))).toEqual(lines(plainTtl(dry[0].stdout)));
    expect(dry[1].stderr).toBe(dry[0].stderr);
    const exp = await both(["expire", "--match", "u1*", "2h", "--yes", "--prefix", prefix, "--json"]);
    expect(exp.map((r) => r.code)).toEqual([0, 0]);
    expect(unordered(exp[1].stdout)).toEqual(unordered(exp[0].stdout));
    for (const k of keys) expect(Math.round((await cluster.ttl(k)) / 60)).toBe(Math.round((await single.ttl(k)) / 60));

    const clearDry = await both(["clear", "--match", "u2*", "--dry-run", "--prefix", prefix]);
    expect(lines(plainTtl(clearDry[1].stdout))).toEqual(lines(plainTtl(clearDry[0].stdout)));
    expect(clearDry[1].stderr).toBe(clearDry[0].stderr);
    const clear = await both(["clear", "--match", "u2*", "--yes", "--prefix", prefix, "--json"]);
    expect(clear.map((r) => r.code)).toEqual([0, 0]);
    expect(unordered(clear[1].stdout)).toEqual(unordered(clear[0].stdout));
    for (const k of keys) expect(await cluster.exists(k)).toBe(await single.exists(k));

    const sum = await both([
      "summarize",
      "--match",
      "u3*",
      "--store",
      "--keep",
      "1",
      "--yes",
      "--engine",
      "extractive",
      "--prefix",
      prefix,
      "--json",
    ]);
    expect(sum.map((r) => r.code)).toEqual([0, 0]);
    const bySession = (s: string) =>
      (JSON.parse(s) as { sessionId: string }[]).sort((x, y) => (x.sessionId < y.sessionId ? -1 : 1));
    expect(bySession(sum[1].stdout)).toEqual(bySession(sum[0].stdout));
    for (const k of keys) expect(await cluster.llen(k)).toBe(await single.llen(k));

    const after = await both(["sessions", "list", "--prefix", prefix, "--json"]);
    expect(unordered(after[1].stdout)).toEqual(unordered(after[0].stdout));
  });

  it("repair --match mends the same sessions the same way", async () => {
    const prefix = `cl${randomUUID().slice(0, 8)}:`;
    const good = storedMessages()[1].element;
    const keys: string[] = [];
    for (const app of [single, cluster]) {
      for (let i = 0; i < 40; i++) {
        const key = `${prefix}r${i}`;
        if (app === single) keys.push(key);
        // Every third session breaks loading (an element without data), every fifth carries a double-encoded message.
        const els = [
          good,
          ...(i % 3 === 0 ? ['{"type":"human"}'] : []),
          ...(i % 5 === 0 ? [JSON.stringify(good)] : []),
          good,
        ];
        await writeConversation(app, key, els);
      }
    }
    const dry = await both(["repair", "--match", "*", "--dry-run", "--json", "--prefix", prefix]);
    expect(dry.map((r) => r.code)).toEqual([0, 0]);
    expect(unordered(dry[1].stdout)).toEqual(unordered(dry[0].stdout));
    const fixed = await both(["repair", "--match", "*", "--yes", "--json", "--prefix", prefix]);
    expect(fixed.map((r) => r.code)).toEqual([0, 0]);
    expect(unordered(fixed[1].stdout)).toEqual(unordered(fixed[0].stdout));
    expect(JSON.parse(fixed[1].stdout).sessions).toHaveLength(14);
    for (const k of keys) expect(await lrangeBytes(cluster, k)).toEqual(await lrangeBytes(single, k));
  });

  it("import --replace restores a cluster from an export of the single Redis, byte for byte", async () => {
    const prefix = `cl${randomUUID().slice(0, 8)}:`;
    const keys = await seed(prefix, 60);
    const file = tmp("from-single.jsonl");
    expect((await onRedis(["export", "--out", file, "--prefix", prefix])).code).toBe(0);
    // The cluster's copy drifts: one session gone, one grown, one trimmed.
    await cluster.del(keys[0]);
    await cluster.lpush(keys[1], "extra");
    await cluster.ltrim(keys[2], 0, 0);
    const im = await onCluster(["import", file, "--replace", "--yes", "--json"]);
    expect(im.code).toBe(0);
    for (const k of [...keys, `${prefix}hostile`, `${prefix}{team}a`])
      expect(await lrangeBytes(cluster, k)).toEqual(await lrangeBytes(single, k));
  });

  it("--stats counts round trips per master, each within one Redis's budget for the keys it holds", async () => {
    const prefix = `cl${randomUUID().slice(0, 8)}:`;
    await seed(prefix, 1500);
    const r = await onCluster(["sessions", "list", "--prefix", prefix, "--json", "--stats"]);
    expect(JSON.parse(r.stdout)).toHaveLength(1504);
    const perNode = [...r.stderr.matchAll(/(127\.0\.0\.1:\d+): (\d+) round trips?/g)].map((m) => ({
      node: m[1],
      trips: Number(m[2]),
    }));
    expect(perNode).toHaveLength(3);
    const masters = (cluster as unknown as { nodes(role: string): IORedis[] }).nodes("master");
    for (const { node, trips } of perNode) {
      const m = masters.find((x) => `${x.options.host}:${x.options.port}` === node)!;
      // Keys on that master (other tests' too, SCAN walks them all) / 1000, twice for TYPE-filtered pages, plus the layout.
      const held = await m.dbsize();
      expect({ node, trips }).toEqual({ node, trips: expect.any(Number) });
      expect(trips).toBeLessThanOrEqual(2 * Math.ceil(held / 1000) + 3);
    }
  });
});
