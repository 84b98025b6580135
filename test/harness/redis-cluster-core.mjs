// A real Redis Cluster on loopback for the tests and the benchmark: N masters
// with R replicas each, every node a throwaway redis-server with its own
// directory (for its nodes.conf), created with `redis-cli --cluster create`,
// all nodes sharing one password, so every cluster test also covers AUTH.
// Plain JavaScript so `npm run bench` can use it without a build; the
// caller hands in the redis-server starter (src/dev/redis-process.ts, or its
// build).
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { Cluster, Redis as IORedis } from "ioredis";

const run = promisify(execFile);
const HOST = "127.0.0.1";
/** Bounded waits: a loaded CI machine is slow, a broken setup must still end. */
const CREATE_TIMEOUT_MS = 60_000;
const SETTLE_TIMEOUT_MS = 60_000;

/**
 * @param {{ startRedisServer: (o: { args?: string[] }) => Promise<{ port: number, password?: string, stop(): Promise<void> }>,
 *           freePort: () => Promise<number>, masters?: number, replicasPerMaster?: number, nodeTimeoutMs?: number,
 *           tls?: { cert: string, key: string } }} opts
 *   nodeTimeoutMs: cluster-node-timeout, short for failure tests, long for a shared cluster (a busy machine must not fail over)
 *   tls: clients and the cluster bus over TLS with this certificate (its own CA); `url` is then rediss://
 */
export async function startRedisCluster(opts) {
  const masters = opts.masters ?? 3;
  const replicas = opts.replicasPerMaster ?? 1;
  const count = masters * (1 + replicas);
  const nodeTimeout = opts.nodeTimeoutMs ?? 30_000;
  /** @type {{ server: { port: number, password?: string, stop(): Promise<void> }, dir: string, tlsPort?: number }[]} */
  const started = [];
  const stopAll = async () => {
    await Promise.all(started.map((s) => s.server.stop()));
    for (const s of started) fs.rmSync(s.dir, { recursive: true, force: true });
  };
  try {
    // One at a time: ports picked in parallel could collide.
    for (let i = 0; i < count; i++) started.push(await startNode(opts, nodeTimeout));
    // Every node starts with a password of its own: one for all of them
    // (redis-cli --cluster create and replication use one), set before the cluster forms.
    const password = randomBytes(12).toString("hex");
    for (const s of started) {
      const c = new IORedis({
        host: HOST,
        port: s.server.port,
        password: s.server.password,
        lazyConnect: true,
        maxRetriesPerRequest: 1,
      });
      try {
        await c.config("SET", "masterauth", password);
        await c.config("SET", "requirepass", password);
      } finally {
        c.disconnect();
      }
    }
    const addresses = started.map((s) => `${HOST}:${s.tlsPort ?? s.server.port}`);
    const tlsCli = opts.tls ? ["--tls", "--cacert", opts.tls.cert] : [];
    await run(
      "redis-cli",
      [...tlsCli, "--cluster", "create", ...addresses, "--cluster-replicas", String(replicas), "--cluster-yes"],
      {
        timeout: CREATE_TIMEOUT_MS,
        // Not on the command line, where `ps` would show it.
        env: { ...process.env, REDISCLI_AUTH: password },
      },
    );
    const ports = started.map((s) => s.server.port);
    await settle(ports, count, masters, password);
    const nodes = started.map((s) => ({
      port: s.server.port,
      url: `redis://:${password}@${HOST}:${s.server.port}`,
      tlsPort: s.tlsPort,
      stop: () => s.server.stop(),
    }));
    const firstReplica = await firstReplicaPort(ports, password);
    const seedTls = nodes.find((n) => n.port === firstReplica)?.tlsPort;
    return {
      password,
      nodes,
      url: seedTls ? `rediss://:${password}@${HOST}:${seedTls}` : `redis://:${password}@${HOST}:${firstReplica}`,
      client: () =>
        new Cluster([{ host: HOST, port: ports[0] }], { redisOptions: { password, maxRetriesPerRequest: 2 } }),
      /** @param {number} port */
      nodeClient: (port) => {
        // Never a default port: 6379 may be someone else's server.
        if (!ports.includes(port)) throw new Error(`port ${port} is not a node of this cluster`);
        return new IORedis({ host: HOST, port, password, maxRetriesPerRequest: 1 });
      },
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

async function startNode({ startRedisServer, freePort, tls }, nodeTimeoutMs) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "um-cluster-"));
  let last;
  // The bus port is ours to pick (port + 10000 may not exist); a taken one fails the start, so try again.
  for (let attempt = 0; attempt < 3; attempt++) {
    const bus = await freePort();
    const tlsPort = tls ? await freePort() : undefined;
    // TLS: clients and the cluster bus; the plain port stays for setting the cluster up.
    const tlsArgs = tls
      ? [
          "--tls-port",
          String(tlsPort),
          "--tls-cert-file",
          tls.cert,
          "--tls-key-file",
          tls.key,
          "--tls-ca-cert-file",
          tls.cert,
          "--tls-cluster",
          "yes",
          "--tls-replication",
          "yes",
          "--tls-auth-clients",
          "no",
        ]
      : [];
    try {
      const server = await startRedisServer({
        args: [
          "--cluster-enabled",
          "yes",
          "--cluster-config-file",
          "nodes.conf",
          "--cluster-port",
          String(bus),
          "--cluster-node-timeout",
          String(nodeTimeoutMs),
          "--repl-diskless-sync-delay",
          "0",
          "--dir",
          dir,
          ...tlsArgs,
        ],
      });
      return { server, dir, tlsPort };
    } catch (err) {
      last = err;
      fs.rmSync(path.join(dir, "nodes.conf"), { force: true });
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });
  throw last;
}

/**
 * Until every node says cluster_state:ok, knows every other node with the
 * same roles (gossip spreads who replicates whom a moment after the create),
 * and every replica is in sync.
 */
async function settle(ports, count, masters, password) {
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  const clients = ports.map(
    (port) => new IORedis({ host: HOST, port, password, lazyConnect: true, maxRetriesPerRequest: 1 }),
  );
  try {
    while (Date.now() < deadline) {
      if ((await Promise.all(clients.map((c) => nodeSettled(c, count, masters)))).every(Boolean)) return;
      await sleep(200);
    }
    throw new Error(`the test cluster did not reach cluster_state:ok within ${SETTLE_TIMEOUT_MS / 1000} s`);
  } finally {
    for (const c of clients) c.disconnect();
  }
}

async function nodeSettled(c, count, masters) {
  try {
    const info = String(await c.cluster("INFO"));
    if (!/cluster_state:ok/.test(info) || !new RegExp(`cluster_known_nodes:${count}\\b`).test(info)) return false;
    const nodes = String(await c.cluster("NODES"))
      .trim()
      .split("\n")
      .map((l) => l.split(" "));
    if (nodes.length !== count || nodes.some((f) => /handshake|noaddr|fail/.test(f[2]))) return false;
    if (nodes.filter((f) => f[2].includes("slave")).length !== count - masters) return false;
    const replication = String(await c.info("replication"));
    return /role:master/.test(replication) || /master_link_status:up/.test(replication);
  } catch {
    return false;
  }
}

async function firstReplicaPort(ports, password) {
  for (const port of ports) {
    const c = new IORedis({ host: HOST, port, password, lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      if (/role:slave/.test(String(await c.info("replication")))) return port;
    } finally {
      c.disconnect();
    }
  }
  return ports[0];
}
