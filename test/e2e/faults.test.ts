// Network faults on every command family: reads retry with a bounded backoff
// and then fail with a clear line and exit 4; writes are never applied twice
// nor lost (checked in Redis afterwards); no stack trace unless --debug.
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Redis as IORedis } from "ioredis";
import { startFaultProxy, type FaultProxy } from "../harness/fault-proxy.js";
import { stack } from "../harness/stack.js";
import { runCli } from "../harness/cli.js";
import { appRedis, lrangeBytes, writeConversation } from "../harness/transports.js";
import { storedMessages } from "../harness/fixtures.js";

let proxy: FaultProxy;
let app: IORedis;
beforeAll(async () => {
  proxy = await startFaultProxy(stack().restUrl);
  app = appRedis();
});
afterAll(async () => {
  await proxy.close();
  await app.quit();
});
beforeEach(() => proxy.plan([]));

const cli = (args: string[], input?: string) =>
  runCli(args, { env: { UPSTASH_REDIS_REST_URL: proxy.url, UPSTASH_REDIS_REST_TOKEN: stack().restToken }, input });
const els = () => storedMessages().map((f) => f.element);
const noStack = (stderr: string) => expect(stderr).not.toMatch(/\n\s+at /);

async function session(ttl?: number): Promise<string> {
  const id = `fault-${randomUUID().slice(0, 8)}`;
  await writeConversation(app, id, els().slice(0, 3), ttl);
  return id;
}

describe("reads under faults", () => {
  const reads = (id: string) => [
    ["history", "show", id, "--json"],
    ["sessions", "list", `${id}*`, "--json"],
    ["export", id],
  ];

  it.each([500, 502, 503])("retry a transient HTTP %i and succeed", async (status) => {
    const id = await session();
    for (const args of reads(id)) {
      proxy.plan([{ kind: "status", status }]);
      const r = await cli(args);
      expect({ args, code: r.code }).toEqual({ args, code: 0 });
    }
  });

  it("honour Retry-After on 429", async () => {
    const id = await session();
    proxy.plan([{ kind: "status", status: 429, retryAfter: 1 }]);
    const started = Date.now();
    const r = await cli(["history", "show", id, "--json"]);
    expect(r.code).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it("retry a connection reset and a lost response", async () => {
    const id = await session();
    for (const kind of ["reset", "drop-response"] as const) {
      proxy.plan([{ kind }]);
      const r = await cli(["history", "show", id, "--json"]);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout).count).toBe(3);
    }
  });

  it("give up after a bounded number of attempts: one clear line, exit 4, no stack", async () => {
    const id = await session();
    for (const args of reads(id)) {
      proxy.always({ kind: "status", status: 503 });
      proxy.requests = 0;
      const r = await cli(args);
      // One object, so a failure shows everything at once.
      expect({ args, code: r.code, stderr: r.stderr, requests: proxy.requests }).toEqual({
        args,
        code: 4,
        stderr: expect.stringMatching(/^upstash-memory: HTTP 503/),
        requests: 3,
      });
      noStack(r.stderr);
    }
  });

  it("time out a slow response (--timeout)", async () => {
    const id = await session();
    proxy.always({ kind: "slow", ms: 2500 });
    const r = await cli(["history", "show", id, "--timeout", "1s"]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain("no answer within 1s");
    noStack(r.stderr);
  });

  it.each([401, 403])("HTTP %i is an auth failure (exit 4), not retried", async (status) => {
    const id = await session();
    proxy.always({ kind: "status", status, body: JSON.stringify({ error: "Unauthorized" }) });
    proxy.requests = 0;
    const r = await cli(["history", "show", id]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(`HTTP ${status}`);
    expect(proxy.requests).toBe(1);
  });

  it("a DNS failure is a connection error (exit 4)", async () => {
    const r = await runCli([
      "history",
      "show",
      "x",
      "--url",
      "https://no-such-host.invalid",
      "--token",
      "t0ken-abcdef",
    ]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain("cannot resolve the host name");
    noStack(r.stderr);
  });

  it("--debug shows the stack and the requests, never the token", async () => {
    proxy.always({ kind: "status", status: 503 });
    const r = await cli(["history", "show", "x", "--debug"]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain("debug: → POST /pipeline");
    expect(r.stderr).toMatch(/\n\s+at /);
    expect(r.stderr).not.toContain(stack().restToken);
  });
});

describe("writes under faults are applied exactly once", () => {
  it("append: response lost after Redis ran it → retried, stored once", async () => {
    const id = await session(600);
    proxy.plan([{ kind: "drop-response" }]);
    const r = await cli(["append", id, "exactly once please", "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).count).toBe(4);
    const stored = (await lrangeBytes(app, id)).map(String).filter((e) => e.includes("exactly once please"));
    expect(stored).toHaveLength(1);
  });

  it("append: reset before anything ran → retried, stored once", async () => {
    const id = await session();
    proxy.plan([{ kind: "reset" }, { kind: "status", status: 502 }]);
    const r = await cli(["append", id, "after a reset"]);
    expect(r.code).toBe(0);
    expect((await lrangeBytes(app, id)).map(String).filter((e) => e.includes("after a reset"))).toHaveLength(1);
  });

  it("append: the store stays down → exit 4, and the message is not half-written", async () => {
    const id = await session();
    proxy.always({ kind: "status", status: 503 });
    const r = await cli(["append", id, "never arrives"]);
    expect(r.code).toBe(4);
    expect(await app.llen(id)).toBe(3);
  });

  it("expire, clear and import survive a lost response", async () => {
    const id = await session();
    proxy.plan([{ kind: "drop-response" }]);
    expect((await cli(["expire", id, "1h"])).code).toBe(0);
    expect(await app.ttl(id)).toBeGreaterThan(3590);

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "um-fault-"));
    const file = path.join(dir, "e.jsonl");
    fs.writeFileSync(file, (await cli(["export", id])).stdout);
    const before = await lrangeBytes(app, id);

    proxy.plan([{ kind: "pass" }, { kind: "drop-response" }]);
    const cleared = await cli(["clear", id, "--yes"]);
    expect(cleared.code).toBe(0);
    expect(await app.exists(id)).toBe(0);

    proxy.plan([{ kind: "drop-response" }]);
    expect((await cli(["import", file])).code).toBe(0);
    expect(await lrangeBytes(app, id)).toEqual(before);
  });
});

describe("summarize under faults", () => {
  it("--store: the compaction's response is lost → retried, applied once", async () => {
    const id = `fault-${randomUUID().slice(0, 8)}`;
    await writeConversation(
      app,
      id,
      Array.from({ length: 8 }, (_, i) =>
        JSON.stringify({ type: i % 2 ? "ai" : "human", data: { content: `turn ${i}` } }),
      ),
    );
    proxy.plan([{ kind: "pass" }, { kind: "drop-response" }]);
    const r = await cli(["summarize", id, "--store", "--keep", "2", "--yes", "--json", "--engine", "extractive"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).stored.status).toBe("already");
    const els = (await lrangeBytes(app, id)).map(String);
    expect(els).toHaveLength(3);
    expect(els.filter((e) => e.includes("upstash_memory_summary"))).toHaveLength(1);
  });

  it("reads give up with exit 4 and nothing is written", async () => {
    const id = await session();
    proxy.always({ kind: "status", status: 502 });
    const r = await cli(["summarize", id, "--store", "--yes", "--keep", "1"]);
    expect(r.code).toBe(4);
    proxy.plan([]);
    expect(await app.llen(id)).toBe(3);
  });
});

describe("read-only token (NOPERM)", () => {
  it("writes are refused with exit 4 and a clear reason; nothing changes", async () => {
    const id = await session();
    const env = { UPSTASH_REDIS_REST_URL: stack().restUrl, UPSTASH_REDIS_REST_TOKEN: stack().readonlyToken };
    for (const args of [
      ["append", id, "x"],
      ["expire", id, "1h"],
      ["clear", id, "--yes"],
    ]) {
      const r = await runCli(args, { env });
      expect({ args, code: r.code }).toEqual({ args, code: 4 });
      expect(r.stderr).toMatch(/read-only|may not run/);
    }
    expect(await app.llen(id)).toBe(3);
    expect(await app.ttl(id)).toBe(-1);
  });
});

describe("clear with a lost answer", () => {
  it("the retry finds the sessions gone and reports them as deleted, as repair does", async () => {
    const ids = [await session(), await session(), await session()];
    // Reading the targets passes; the delete runs in Redis, then its answer is lost.
    proxy.plan([{ kind: "pass" }, { kind: "drop-response" }]);
    const r = await cli(["clear", ...ids, "--yes", "--json"]);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.deleted.map((d: { sessionId: string }) => d.sessionId).sort()).toEqual([...ids].sort());
    expect(JSON.stringify(json)).not.toMatch(/"missing":\[\s*"/);
    for (const id of ids) expect(await app.exists(id)).toBe(0);
    const plain = await (async () => {
      const again = [await session(), await session(), await session()];
      proxy.plan([{ kind: "pass" }, { kind: "drop-response" }]);
      return cli(["clear", ...again, "--yes"]);
    })();
    expect(plain.code).toBe(0);
    expect(plain.stderr).toMatch(/deleted 3 sessions, 9 messages/);
  });
});

describe("an outage part-way through import", () => {
  // 250 sessions: import sends at most 200 a request, so the first request
  // lands and the second meets the outage.
  const N = 250;
  async function exportedSessions(): Promise<{ prefix: string; file: string; keys: string[]; originals: Buffer[][] }> {
    const prefix = `outage-${randomUUID().slice(0, 8)}-`;
    const keys = Array.from({ length: N }, (_, i) => `${prefix}${String(i).padStart(3, "0")}`);
    for (const [i, k] of keys.entries()) await writeConversation(app, k, els().slice(0, 2 + (i % 3)));
    const originals = await Promise.all(keys.map((k) => lrangeBytes(app, k)));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "um-outage-"));
    const file = path.join(dir, "all.jsonl");
    const r = await cli(["export", "--match", `${prefix}*`, "--out", file]);
    expect(r.code).toBe(0);
    return { prefix, file, keys, originals };
  }
  const outageAfterOne = () =>
    proxy.plan([{ kind: "pass" }, ...Array.from({ length: 20 }, () => ({ kind: "status" as const, status: 503 }))]);

  it("import: exit 4, every session whole or untouched, and a rerun completes it exactly once", async () => {
    const { file, keys, originals } = await exportedSessions();
    await app.del(...keys);
    outageAfterOne();
    const r = await cli(["import", file]);
    proxy.plan([]);
    expect(r.code).toBe(4);
    expect(r.stderr.trim().split("\n").length).toBeLessThanOrEqual(2);
    noStack(r.stderr);
    const after = await Promise.all(keys.map((k) => lrangeBytes(app, k)));
    const whole = after.filter((els, i) => els.length && Buffer.concat(els).equals(Buffer.concat(originals[i])));
    const absent = after.filter((els) => els.length === 0);
    expect(whole.length + absent.length).toBe(N);
    expect(whole.length).toBe(200);

    const again = await cli(["import", file, "--json"]);
    expect(again.code).toBe(0);
    expect(await Promise.all(keys.map((k) => lrangeBytes(app, k)))).toEqual(originals);
    await app.del(...keys);
  });

  it("import --replace: exit 4, every session the file's or still its own, and a rerun completes it exactly once", async () => {
    const { file, keys, originals } = await exportedSessions();
    // The app moved on since the export: one more message in every session.
    for (const k of keys) await app.lpush(k, JSON.stringify({ type: "human", data: { content: "since the export" } }));
    const moved = await Promise.all(keys.map((k) => lrangeBytes(app, k)));
    outageAfterOne();
    const r = await cli(["import", file, "--replace", "--yes"]);
    proxy.plan([]);
    expect(r.code).toBe(4);
    noStack(r.stderr);
    const after = await Promise.all(keys.map((k) => lrangeBytes(app, k)));
    const same = (a: Buffer[], b: Buffer[]) => a.length === b.length && a.every((e, i) => e.equals(b[i]));
    const replaced = after.filter((els, i) => same(els, originals[i])).length;
    const untouched = after.filter((els, i) => same(els, moved[i])).length;
    expect(replaced + untouched).toBe(N);
    expect(replaced).toBe(200);

    const again = await cli(["import", file, "--replace", "--yes"]);
    expect(again.code).toBe(0);
    expect(await Promise.all(keys.map((k) => lrangeBytes(app, k)))).toEqual(originals);
    await app.del(...keys);
  });
});

describe("an outage part-way through repair", () => {
  // 150 sessions, each with two elements the reader drops ("null"): repair
  // sends the scripts of at most 100 sessions a request, so when the last
  // request meets the outage the first 100 are repaired and the rest untouched.
  const N = 150;
  const oldestFirst = (i: number) => [
    JSON.stringify({ type: "human", data: { content: `q${i}` } }),
    "null",
    JSON.stringify({ type: "ai", data: { content: `a${i}` } }),
    "null",
  ];
  async function damaged(): Promise<{ prefix: string; keys: string[]; originals: Buffer[][] }> {
    const prefix = `outage-repair-${randomUUID().slice(0, 8)}-`;
    const keys = Array.from({ length: N }, (_, i) => `${prefix}${i}`);
    for (const [i, k] of keys.entries()) await writeConversation(app, k, oldestFirst(i));
    return { prefix, keys, originals: await Promise.all(keys.map((k) => lrangeBytes(app, k))) };
  }
  const repairedOf = (i: number) =>
    oldestFirst(i)
      .filter((e) => e !== "null")
      .reverse();

  it("repair: exit 4, every session repaired or untouched, and a rerun completes it exactly once", async () => {
    // How many requests a whole run takes, on a copy of the same damage.
    const probe = await damaged();
    proxy.requests = 0;
    const whole = await cli(["repair", "--match", "*", "--prefix", probe.prefix, "--yes", "--json"]);
    expect(whole.code).toBe(0);
    const total = proxy.requests;
    expect(total).toBeGreaterThanOrEqual(3);
    await app.del(...probe.keys);

    const { prefix, keys, originals } = await damaged();
    const passing = total - 1; // the last request, with the last sessions' scripts, meets the outage
    proxy.plan([
      ...Array.from({ length: passing }, () => ({ kind: "pass" as const })),
      ...Array.from({ length: 20 }, () => ({ kind: "status" as const, status: 503 })),
    ]);
    const r = await cli(["repair", "--match", "*", "--prefix", prefix, "--yes"]);
    proxy.plan([]);
    expect(r.code).toBe(4);
    expect(r.stderr.trim().split("\n").length).toBeLessThanOrEqual(2);
    noStack(r.stderr);
    const after = (await Promise.all(keys.map((k) => lrangeBytes(app, k)))).map((els) => els.map(String));
    const repaired = after.filter((els, i) => JSON.stringify(els) === JSON.stringify(repairedOf(i))).length;
    const untouched = after.filter((els, i) => JSON.stringify(els) === JSON.stringify(originals[i].map(String))).length;
    expect(repaired + untouched).toBe(N);
    expect(repaired).toBe(100);

    const again = await cli(["repair", "--match", "*", "--prefix", prefix, "--yes", "--json"]);
    expect(again.code).toBe(0);
    const statuses = (JSON.parse(again.stdout) as { sessions: { status: string }[] }).sessions.map((s) => s.status);
    expect(statuses.filter((s) => s === "repaired")).toHaveLength(untouched);
    expect((await Promise.all(keys.map((k) => lrangeBytes(app, k)))).map((els) => els.map(String))).toEqual(
      keys.map((_, i) => repairedOf(i)),
    );
    await app.del(...keys);
  });
});
