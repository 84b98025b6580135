// A Redis Cluster that changes or breaks under the CLI: a failover during a
// listing of 10,000 sessions (every one listed, once), a master that cannot
// be reached (listing and --match commands fail naming it, --allow-partial
// does what it can and says what it skipped), cluster_state:fail. Each
// scenario has a cluster of its own: the shared one must stay healthy.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Cluster } from "ioredis";
import { startRedisCluster, type RedisClusterHandle } from "../harness/redis-cluster.js";
import { lpushMany, writeConversation } from "../harness/transports.js";
import { BIN, ROOT, baseEnv, runCli, tempConfigDir, type RunOptions } from "../harness/cli.js";
import { storedMessages } from "../harness/fixtures.js";
import { slotOf } from "../../src/store/slots.js";

const element = storedMessages()[1].element;

interface Master {
  port: number;
  slots: [number, number][];
  replicaPort?: number;
}

/** Masters with their slot ranges and first replica, as CLUSTER NODES says. */
async function masters(c: RedisClusterHandle): Promise<Master[]> {
  const client = c.nodeClient(c.nodes[0].port);
  try {
    const lines = String(await client.cluster("NODES"))
      .trim()
      .split("\n")
      .map((l) => l.split(" "));
    const port = (f: string[]) => Number(f[1].split("@")[0].split(":")[1]);
    const ms = lines.filter((f) => f[2].includes("master") && f.length > 8);
    return ms.map((f) => ({
      port: port(f),
      slots: f
        .slice(8)
        .filter((s) => !s.startsWith("["))
        .map((s) => s.split("-").map(Number) as [number, number])
        .map(([a, b]) => [a, b ?? a]),
      replicaPort: lines.filter((r) => r[3] === f[0]).map(port)[0],
    }));
  } finally {
    client.disconnect();
  }
}

/**
 * A master and its replica as the two nodes themselves say (ROLE), with the
 * replication link up. CLUSTER NODES from one node can lag after a failover
 * (gossip), and a failover asked of a node that is not a replica never comes.
 */
async function settledPair(c: RedisClusterHandle, avoidSlot?: number): Promise<Master | undefined> {
  for (const m of await masters(c)) {
    if (!m.replicaPort) continue;
    if (avoidSlot !== undefined && m.slots.some(([a, b]) => avoidSlot >= a && avoidSlot <= b)) continue;
    const mc = c.nodeClient(m.port);
    const rc = c.nodeClient(m.replicaPort);
    try {
      const [mr, rr] = (await Promise.all([mc.call("ROLE"), rc.call("ROLE")])) as unknown[][];
      if (
        String(mr[0]) === "master" &&
        String(rr[0]) === "slave" &&
        Number(rr[2]) === m.port &&
        String(rr[3]) === "connected"
      )
        return m;
    } finally {
      mc.disconnect();
      rc.disconnect();
    }
  }
  return undefined;
}

/** CONFIG SET on every node (or these masters). */
async function setAll(c: RedisClusterHandle, name: string, value: string, only?: Master[]): Promise<void> {
  for (const port of only ? only.map((m) => m.port) : c.nodes.map((n) => n.port)) {
    const n = c.nodeClient(port);
    await n.config("SET", name, value).finally(() => n.disconnect());
  }
}

const holds = (m: Master, key: string) => m.slots.some(([a, b]) => slotOf(key) >= a && slotOf(key) <= b);

/** Polls (bounded) until the check passes. */
async function until(what: string, check: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await sleep(200);
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function role(c: RedisClusterHandle, port: number): Promise<string> {
  const client = c.nodeClient(port);
  try {
    return String(((await client.call("ROLE")) as unknown[])[0]);
  } finally {
    client.disconnect();
  }
}

/**
 * CLUSTER FAILOVER on a replica once it is in sync, then wait until both sides
 * have swapped roles. Redis gives a manual failover 5 s; on a busy machine it
 * may run out, so it is asked again (a bounded number of times).
 */
async function failOver(c: RedisClusterHandle, master: Master): Promise<void> {
  const replica = c.nodeClient(master.replicaPort!);
  try {
    await until("the replica in sync", async () => {
      const info = String(await replica.info("replication"));
      return /master_link_status:up/.test(info) && /master_sync_in_progress:0/.test(info);
    });
    for (let attempt = 1; ; attempt++) {
      await replica.cluster("FAILOVER");
      try {
        await until(
          "the failover",
          async () => (await role(c, master.replicaPort!)) === "master" && (await role(c, master.port)) === "slave",
          15_000,
        );
        return;
      } catch (err) {
        if (attempt === 4) throw err;
      }
    }
  } finally {
    replica.disconnect();
  }
}

describe("a failover during `sessions list` over 10,000 sessions", () => {
  let c: RedisClusterHandle;
  /** A slot of the shard the first test failed over. */
  let failedOverSlot: number | undefined;
  let app: Cluster;
  const prefix = "fo:";
  const ids = Array.from({ length: 10_000 }, (_, i) => `s${i}`);
  beforeAll(async () => {
    c = await startRedisCluster({ masters: 3, replicasPerMaster: 1 });
    app = c.client();
    await lpushMany(
      app as never,
      ids.map((id) => [prefix + id, element]),
    );
  }, 120_000);
  afterAll(async () => {
    app?.disconnect();
    await c?.stop();
  });

  it("--ndjson: the master's walk starts again on its successor; every session listed once", async () => {
    const [m] = await masters(c);
    failedOverSlot = m.slots[0][0];
    // The CLI streams to a pipe nobody reads yet: it stalls once the pipe is
    // full, part way through every master's walk, and the failover happens then.
    const child = spawn(process.execPath, [BIN, "sessions", "list", "--ndjson", "--prefix", prefix, "--debug"], {
      env: { ...baseEnv(tempConfigDir()), UPSTASH_REDIS_REST_URL: c.url },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    const exited = new Promise<number>((resolve) => child.on("close", (code) => resolve(code ?? 1)));
    try {
      child.stdout.pause();
      await until(
        "the first page from the master",
        async () => stderr.includes(`→ 127.0.0.1:${m.port} PIPELINE`),
        30_000,
      );
      await sleep(500);
      await failOver(c, m);
      const chunks: Buffer[] = [];
      child.stdout.on("data", (d) => chunks.push(d));
      child.stdout.resume();
      // On failure, the CLI's own account (its --debug lines, without the per-request ones).
      const code = await exited;
      expect(
        code,
        stderr
          .split("\n")
          .filter((l) => !l.startsWith("→"))
          .slice(-15)
          .join("\n"),
      ).toBe(0);
      const listed = Buffer.concat(chunks)
        .toString("utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l).sessionId as string);
      expect(listed.length).toBe(ids.length);
      expect(new Set(listed).size).toBe(ids.length);
      expect([...listed].sort()).toEqual([...ids].sort());
      // The walk of that master really was interrupted and done again.
      expect(stderr).toContain(`127.0.0.1:${m.port} is no longer a master (failover)`);
      expect(stderr).toMatch(new RegExp(`walking 127\\.0\\.0\\.1:${m.replicaPort} from the start`));
    } finally {
      child.kill("SIGKILL");
    }
  }, 180_000);

  it("--json while a failover runs: all 10,000 sessions, or a clear error, never a silent partial", async () => {
    // After the first failover, gossip takes a moment to tell every node who replicates whom.
    // Another shard than the first test's: for twice the node timeout after a
    // failover, masters refuse their votes to that shard's replicas again.
    let m: Master | undefined;
    await until("a master with a replica", async () => (m = await settledPair(c, failedOverSlot)) !== undefined);
    m = m!;
    const env = { UPSTASH_REDIS_REST_URL: c.url };
    const listing = runCli(["sessions", "list", "--json", "--prefix", prefix], { env, timeoutMs: 90_000 });
    await sleep(100);
    await failOver(c, m);
    const r = await listing;
    if (r.code === 0) {
      const listed = JSON.parse(r.stdout).map((s: { sessionId: string }) => s.sessionId);
      expect(listed.sort()).toEqual([...ids].sort());
    } else {
      expect(r.code).toBe(4);
      expect(r.stdout).toBe("");
      expect(r.stderr).toMatch(/^upstash-memory: .*(failover|master|cluster)/m);
    }
    // And once the cluster has settled, the listing is complete.
    const again = await runCli(["sessions", "list", "--json", "--prefix", prefix, "--stats"], { env });
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toHaveLength(ids.length);
  }, 180_000);
});

describe("a master that cannot be reached", () => {
  let c: RedisClusterHandle;
  let app: Cluster;
  let lost: Master;
  let kept: Master[];
  const prefix = "down:";
  const ids = Array.from({ length: 300 }, (_, i) => `s${i}`);
  const cli = (args: string[], opts: RunOptions = {}) =>
    runCli(args, { ...opts, env: { UPSTASH_REDIS_REST_URL: c.url, ...opts.env } });
  const tmp = (name: string) => path.join(fs.mkdtempSync(path.join(os.tmpdir(), "um-down-")), name);

  beforeAll(async () => {
    // No replicas (nothing takes over) and a short node timeout. Without full
    // coverage required, the masters left go on serving their slots (until the
    // last test requires it: then the whole cluster is down).
    c = await startRedisCluster({ masters: 3, replicasPerMaster: 0, nodeTimeoutMs: 2_000 });
    await setAll(c, "cluster-require-full-coverage", "no");
    app = c.client();
    await lpushMany(
      app as never,
      ids.map((id) => [prefix + id, element]),
    );
  }, 120_000);
  afterAll(async () => {
    app?.disconnect();
    await c?.stop();
  });

  it("doctor's similar-key search looks on every master", async () => {
    const ms = await masters(c);
    const id = "conv-similar";
    const near = ms.map(
      (m, i) => [`${id}-${"x".repeat(i)}`, `chat:${id}:${i}`].find((k) => holds(m, k)) ?? `chat:${id}:${i}`,
    );
    for (const k of near) await writeConversation(app as never, k, [element]);
    const r = await cli(["doctor", id, "--json"]);
    const misses = JSON.parse(r.stdout)
      .checks.filter((x: { id: string }) => x.id === "key.near-miss")
      .map((x: { message: string }) => x.message)
      .join("\n");
    for (const k of near) expect(misses).toContain(`'${k}'`);
    for (const k of near) await app.del(k);
  });

  it("fails listing and --match commands naming it (exit 4, nothing written); --allow-partial lists the rest and says what it skipped", async () => {
    // Not the node the URL names: with that one down the CLI could not find the cluster at all.
    const seed = Number(new URL(c.url).port);
    const ms = await masters(c);
    lost = ms.find((m) => m.port !== seed)!;
    kept = ms.filter((m) => m !== lost);
    await c.nodes.find((n) => n.port === lost.port)!.stop();
    const name = `127.0.0.1:${lost.port}`;
    const onKept = ids.filter((id) => kept.some((m) => holds(m, prefix + id)));
    const onLost = ids.filter((id) => holds(lost, prefix + id));
    expect(onLost.length).toBeGreaterThan(50);

    const list = await cli(["sessions", "list", "--json", "--prefix", prefix]);
    expect(list.code).toBe(4);
    expect(list.stdout).toBe("");
    expect(list.stderr).toContain(name);
    expect(list.stderr).toContain(`slots ${lost.slots.map(([a, b]) => `${a}-${b}`).join(", ")}`);
    expect(list.stderr).toContain("--allow-partial");

    const out = tmp("export.jsonl");
    for (const args of [
      ["export", "--out", out],
      ["expire", "--match", "*", "1h", "--yes"],
      ["clear", "--match", "*", "--yes"],
      ["summarize", "--match", "*", "--store", "--yes", "--engine", "extractive"],
    ]) {
      const r = await cli([...args, "--prefix", prefix]);
      expect({ args, code: r.code, named: r.stderr.includes(name) }).toEqual({ args, code: 4, named: true });
    }
    expect(fs.existsSync(out)).toBe(false);
    for (const id of onKept.slice(0, 20)) {
      expect(await app.ttl(prefix + id)).toBe(-1);
      expect(await app.llen(prefix + id)).toBe(1);
    }

    const partial = await cli(["sessions", "list", "--json", "--prefix", prefix, "--allow-partial"]);
    expect(partial.code).toBe(0);
    expect(
      JSON.parse(partial.stdout)
        .map((s: { sessionId: string }) => s.sessionId)
        .sort(),
    ).toEqual([...onKept].sort());
    expect(partial.stderr).toMatch(
      new RegExp(`^warning: skipped: master ${name.replace(/\./g, "\\.")} \\(slots [\\d, -]+\\) is unreachable`, "m"),
    );

    // One session: fine on a reachable master, exit 4 naming the node on the lost one.
    expect((await cli(["history", "show", onKept[0], "--prefix", prefix])).code).toBe(0);
    const gone = await cli(["history", "show", onLost[0], "--prefix", prefix]);
    expect(gone.code).toBe(4);
    expect(gone.stderr).toContain(name);
  });

  it("slots nobody serves (cluster_state:fail): listing fails naming them; --allow-partial reads what the cluster still serves", async () => {
    expect(lost).toBeDefined();
    // The masters left forget the lost one: its slots have no master now, and
    // with full coverage required the cluster is down.
    await setAll(c, "cluster-require-full-coverage", "yes", kept);
    for (const m of kept) {
      const n = c.nodeClient(m.port);
      try {
        const id = String(await n.cluster("NODES"))
          .split("\n")
          .find((l) => l.includes(`:${lost.port}@`))!
          .split(" ")[0];
        await n.cluster("FORGET", id);
      } finally {
        n.disconnect();
      }
    }
    const a = c.nodeClient(kept[0].port);
    try {
      await until("cluster_state:fail", async () => /cluster_state:fail/.test(String(await a.cluster("INFO"))));
    } finally {
      a.disconnect();
    }
    const orphans = `slots ${lost.slots.map(([x, y]) => `${x}-${y}`).join(", ")} are not served by any master`;
    const list = await cli(["sessions", "list", "--json", "--prefix", prefix]);
    expect(list.code).toBe(4);
    expect(list.stderr).toContain(orphans);

    const doctor = await cli(["doctor", "--json"]);
    expect(doctor.code).toBe(1);
    const check = JSON.parse(doctor.stdout).checks.find((x: { id: string }) => x.id === "connection.cluster");
    expect(check).toMatchObject({ status: "fail", message: expect.stringContaining(`cluster_state fail: ${orphans}`) });

    // The masters left refuse every key while the cluster is down: nothing can be listed, and stderr says so.
    const refused = await cli(["sessions", "list", "--json", "--prefix", prefix, "--allow-partial"], {
      timeoutMs: 90_000,
    });
    expect(refused.code).toBe(0);
    expect(JSON.parse(refused.stdout)).toEqual([]);
    expect(refused.stderr).toContain(`warning: skipped: ${orphans}`);
    for (const m of kept)
      expect(refused.stderr).toMatch(new RegExp(`warning: skipped: master 127\\.0\\.0\\.1:${m.port} .*CLUSTERDOWN`));

    // Where reads are allowed while down, they do it.
    await setAll(c, "cluster-allow-reads-when-down", "yes", kept);
    const reads = await cli(["sessions", "list", "--json", "--prefix", prefix, "--allow-partial"]);
    expect(reads.code).toBe(0);
    expect(JSON.parse(reads.stdout)).toHaveLength(ids.filter((id) => kept.some((m) => holds(m, prefix + id))).length);
    expect(reads.stderr.trim()).toBe(`warning: skipped: ${orphans}`);
  });
});

describe("a cluster over rediss://", () => {
  let c: RedisClusterHandle;
  let app: Cluster;
  const prefix = "tls:";
  const ids = Array.from({ length: 200 }, (_, i) => `s${i}`);
  const tls = {
    cert: path.join(ROOT, "test/fixtures/tls/cert.pem"),
    key: path.join(ROOT, "test/fixtures/tls/key.pem"),
  };
  beforeAll(async () => {
    c = await startRedisCluster({ masters: 3, replicasPerMaster: 0, tls });
    app = c.client(); // over the nodes' plain ports, as the test's own back door
    await lpushMany(
      app as never,
      ids.map((id) => [prefix + id, element]),
    );
  }, 120_000);
  afterAll(async () => {
    app?.disconnect();
    await c?.stop();
  });

  it("verifies every node's certificate, and with the CA trusted works on every master", async () => {
    expect(c.url).toMatch(/^rediss:\/\//);
    const untrusted = await runCli(["sessions", "list", "--prefix", prefix], {
      env: { UPSTASH_REDIS_REST_URL: c.url },
    });
    expect(untrusted.code).toBe(4);
    expect(untrusted.stderr).toMatch(
      /TLS certificate was refused \((DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)/,
    );
    expect(untrusted.stderr).toContain("NODE_EXTRA_CA_CERTS");

    const env = { UPSTASH_REDIS_REST_URL: c.url, NODE_EXTRA_CA_CERTS: tls.cert };
    const list = await runCli(["sessions", "list", "--json", "--prefix", prefix, "--stats"], { env });
    expect(list.code).toBe(0);
    expect(
      JSON.parse(list.stdout)
        .map((s: { sessionId: string }) => s.sessionId)
        .sort(),
    ).toEqual([...ids].sort());
    // Every master reached on its TLS port; nothing else on stderr (no warning about SNI and IP addresses).
    const tlsPorts = c.nodes.map((n) => n.tlsPort);
    const reached = [...list.stderr.matchAll(/127\.0\.0\.1:(\d+): \d+ round trips?/g)].map((m) => Number(m[1]));
    expect(reached.sort()).toEqual([...tlsPorts].sort());
    expect(list.stderr.trim().split("\n")).toHaveLength(1);

    const one = await runCli(["append", "s7", "over TLS", "--prefix", prefix, "--json"], { env });
    expect(JSON.parse(one.stdout)).toMatchObject({ count: 2, applied: true });
    const wrong = await runCli(["history", "show", "s7", "--prefix", prefix], {
      env: { ...env, UPSTASH_REDIS_REST_URL: c.url.replace(/:[0-9a-f]+@/, ":wrong@") },
    });
    expect(wrong.code).toBe(4);
    expect(wrong.stderr).toContain("Redis refused the credentials");
  });
});
