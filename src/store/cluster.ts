// redis:// on a Redis Cluster: ioredis's Cluster, seeded with the node the
// URL names, finds the masters and keeps a connection to each. Batches are
// routed here rather than by ioredis, so that a batch costs one round trip
// per node it touches (counted per node for --stats), a reply that says "not
// here" (MOVED, ASK) is resent only for the commands it concerns (they did
// not run), and nothing is ever resent behind our back.
import { setTimeout as sleep } from "node:timers/promises";
import { Cluster, type Redis as IORedis } from "ioredis";
import { ConnectionError, RedisReplyError } from "../errors/errors.js";
import { TransientError, withRetry, backoffMs } from "./retry.js";
import { classify, connectionOptions, execBatch } from "./redis-exec.js";
import { asArray, asInt, asText } from "./replies.js";
import { groupBySlot, slotOf, slotOfCommand, slotRanges } from "./slots.js";
import {
  healthyMasters,
  layoutProblems,
  masters,
  parseLayout,
  replicasOf,
  servedSlots,
  type ClusterLayout,
  type ClusterMember,
} from "./cluster-layout.js";
import { NodeChangedError } from "./shards.js";
import type {
  BatchOptions,
  ClusterReport,
  Cmd,
  Outcome,
  ScanNode,
  ScanNodes,
  StoreOptions,
  StoreStats,
} from "./types.js";

/** Redirections followed for one command before giving up (ioredis's default too). */
const MAX_REDIRECTS = 16;
/** Walks of one part of the keyspace before giving up on it. */
const MAX_RESTARTS = 3;
/** How long a walk waits for a failed master's slots to find a new master. */
const TAKEOVER_WAIT_MS = 30_000;
/** Commands that answer for one node's keys only: summed over every master. */
const SUMMED = new Set(["DBSIZE"]);

const DOWN_HINT = "`upstash-memory doctor` shows the cluster's masters and which slots are served";

interface Entry {
  index: number;
  cmd: Cmd;
  /** A node named by a redirection; otherwise routed by slot. */
  to?: string;
  asking?: boolean;
  redirects: number;
  /** TRYAGAIN / CLUSTERDOWN answers so far. */
  waits: number;
}

export class ClusterRouter {
  private readonly cluster: Cluster;
  private readonly nodeErrors = new Map<string, string>();

  constructor(
    seed: URL,
    private readonly opts: StoreOptions,
    private readonly stats: StoreStats,
  ) {
    const redisOptions = {
      ...connectionOptions(seed, opts.timeoutMs),
      ...(seed.protocol === "rediss:" ? { tls: {} } : {}),
    };
    this.cluster = new Cluster([{ host: seed.hostname.replace(/^\[|\]$/g, ""), port: Number(seed.port || 6379) }], {
      lazyConnect: true,
      // cluster_state:fail must not stop us from connecting: listing with
      // --allow-partial and doctor still have work to do then.
      enableReadyCheck: false,
      redisOptions,
      slotsRefreshTimeout: opts.timeoutMs,
      clusterRetryStrategy: (times) => (times > 2 ? null : 100 * times),
      maxRedirections: MAX_REDIRECTS,
      // Keep host names as they are so TLS checks certificates against them.
      dnsLookup: (address, callback) => callback(null, address),
    });
    this.cluster.on("error", (err: Error) => opts.debug?.(`redis cluster: ${err.message}`));
    this.cluster.on("node error", (err: Error, key: string) => {
      this.nodeErrors.set(key, err.message);
      opts.debug?.(`redis cluster: ${key}: ${err.message}`);
    });
  }

  async connect(): Promise<void> {
    try {
      await this.cluster.connect();
    } catch (err) {
      throw classify(err as Error, true);
    }
  }

  close(): void {
    this.cluster.disconnect();
  }

  keyGroups(keys: string[]): string[][] {
    return groupBySlot(keys);
  }

  /** A batch: split per node, one round trip each, in parallel; outcomes in the order given. */
  async run(cmds: Cmd[], opts: BatchOptions, atomic: boolean): Promise<Outcome[]> {
    if (atomic) return this.transaction(cmds, opts);
    const outcomes: Outcome[] = new Array(cmds.length);
    let todo: Entry[] = [];
    const summed: { index: number; cmd: Cmd }[] = [];
    cmds.forEach((cmd, index) => {
      if (SUMMED.has(String(cmd[0]).toUpperCase())) summed.push({ index, cmd });
      else if (slotOfCommand(cmd) === null)
        outcomes[index] = { ok: false, error: "CROSSSLOT Keys in request don't hash to the same slot" };
      else todo.push({ index, cmd, redirects: 0, waits: 0 });
    });
    const masterNames = summed.length ? this.masterNames() : [];
    for (const s of summed)
      for (const name of masterNames) todo.push({ index: s.index, cmd: s.cmd, to: name, redirects: 0, waits: 0 });
    const sums = new Map<number, Outcome[]>();

    while (todo.length) {
      const groups = new Map<string, Entry[]>();
      for (const e of todo) {
        const name = e.to ?? this.nodeFor(e.cmd);
        const g = groups.get(name);
        if (g) g.push(e);
        else groups.set(name, [e]);
      }
      const again: Entry[] = [];
      let refresh = false;
      await Promise.all(
        [...groups].map(async ([name, entries]) => {
          const sent: Cmd[] = entries.flatMap((e) => (e.asking ? [["ASKING"], e.cmd] : [e.cmd]));
          const replies = await this.send(name, sent, opts, false);
          let at = 0;
          for (const e of entries) {
            if (e.asking) at++;
            const o = replies[at++];
            const r = !o.ok ? redirection(o.error) : undefined;
            if (!r) {
              if (SUMMED.has(String(e.cmd[0]).toUpperCase())) sums.set(e.index, [...(sums.get(e.index) ?? []), o]);
              else outcomes[e.index] = o;
              continue;
            }
            // MOVED, ASK, TRYAGAIN, CLUSTERDOWN: the command did not run; send it again.
            const error = (o as { error: string }).error;
            if (r.kind === "wait" ? ++e.waits >= (this.opts.attempts ?? 3) : ++e.redirects > MAX_REDIRECTS)
              throw this.down(name, error);
            if (r.kind === "moved") {
              refresh = true;
              e.to = r.node;
              e.asking = false;
            } else if (r.kind === "ask") {
              e.to = r.node;
              e.asking = true;
            } else {
              e.to = undefined;
              refresh = true;
            }
            again.push(e);
          }
        }),
      );
      if (refresh) await this.refresh();
      const waits = again.filter((e) => !e.to).map((e) => e.waits);
      if (waits.length) await sleep(backoffMs(Math.max(...waits) - 1));
      todo = again;
    }
    for (const s of summed) {
      const parts = sums.get(s.index) ?? [];
      const failed = parts.find((o) => !o.ok);
      outcomes[s.index] = failed ?? { ok: true, value: parts.reduce((n, o) => n + (o.ok ? asInt(o.value) : 0), 0) };
    }
    return outcomes;
  }

  /** MULTI/EXEC needs every key in one slot, as on any cluster client. */
  private async transaction(cmds: Cmd[], opts: BatchOptions): Promise<Outcome[]> {
    const slots = new Set(cmds.map(slotOfCommand).filter((s) => s !== undefined));
    if (slots.size > 1 || slots.has(null))
      throw new RedisReplyError("CROSSSLOT Keys in request don't hash to the same slot");
    const key = cmds.find((c) => slotOfCommand(c) !== undefined);
    return this.send(key ? this.nodeFor(key) : this.masterNames()[0], cmds, opts, true);
  }

  /** The master serving a command's slot; any master for a keyless one. */
  private nodeFor(cmd: Cmd): string {
    const slot = slotOfCommand(cmd);
    const name = slot === undefined || slot === null ? undefined : this.cluster.slots[slot]?.[0];
    return name ?? this.masterNames()[0];
  }

  private masterNames(): string[] {
    const names = this.cluster.nodes("master").map(nodeName).sort();
    if (!names.length) throw new ConnectionError("no master of the cluster is reachable", DOWN_HINT);
    return names;
  }

  private connection(name: string): IORedis | undefined {
    return this.cluster.nodes("all").find((n) => nodeName(n) === name);
  }

  private refresh(): Promise<void> {
    return new Promise((resolve) => this.cluster.refreshSlotsCache(() => resolve()));
  }

  /** One round trip to one node, retried as the batch allows; counted for --stats. */
  private send(name: string, cmds: Cmd[], opts: BatchOptions, atomic: boolean): Promise<Outcome[]> {
    return withRetry(
      this.opts.attempts ?? 3,
      opts.idempotent,
      async () => {
        let client = this.connection(name);
        if (!client) {
          // The pool drops a node whose connection ended: ask the cluster again.
          await this.refresh();
          client = this.connection(name);
        }
        if (!client) throw new TransientError(`not connected to ${name}${this.reason(name)}`, true);
        this.count(name, cmds.length);
        this.opts.debug?.(`→ ${name} ${atomic ? "MULTI" : "PIPELINE"} (${cmds.length} commands)`);
        const started = Date.now();
        const replies = await execBatch(client, cmds, atomic);
        this.opts.debug?.(`← ${name} in ${Date.now() - started} ms`);
        return replies;
      },
      undefined,
      opts.onResend,
    ).catch((err) => {
      if (err instanceof TransientError) {
        throw new ConnectionError(`${err.message} (${name})${this.reason(name, err.message)}`, DOWN_HINT);
      }
      throw err;
    });
  }

  private count(name: string, commands: number): void {
    this.stats.requests++;
    this.stats.commands += commands;
    const per = (this.stats.nodes ??= {});
    const n = (per[name] ??= { requests: 0, commands: 0 });
    n.requests++;
    n.commands += commands;
  }

  private reason(name: string, already = ""): string {
    const why = this.nodeErrors.get(name);
    return why && !already.includes(why) ? `: ${why}` : "";
  }

  private down(name: string, reply: string): ConnectionError {
    return new ConnectionError(`the cluster cannot serve the request (${name}: ${reply.split("\n")[0]})`, DOWN_HINT);
  }

  /** CLUSTER NODES and CLUSTER INFO from the first master that answers. */
  async layout(): Promise<ClusterLayout> {
    let last: unknown;
    for (const name of this.masterNames()) {
      try {
        const [nodes, info] = await this.send(
          name,
          [
            ["CLUSTER", "NODES"],
            ["CLUSTER", "INFO"],
          ],
          { idempotent: true },
          false,
        );
        if (nodes.ok && info.ok) return parseLayout(asText(nodes.value), asText(info.value));
        last = new RedisReplyError(!nodes.ok ? nodes.error : !info.ok ? info.error : "");
      } catch (err) {
        last = err;
      }
    }
    throw last;
  }

  /** Every master that serves slots, ready to walk; refuses (or warns, with --allow-partial) when one is missing. */
  async scanNodes(): Promise<ScanNodes> {
    const layout = await this.layout();
    const problems = layoutProblems(layout);
    const nodes: ScanNode[] = [];
    await Promise.all(
      healthyMasters(layout).map(async (m) => {
        const r = await this.reach(m);
        if ("error" in r) problems.push(`master ${m.name} (slots ${slotRanges(m.slots)}) is unreachable: ${r.error}`);
        else nodes.push(this.scanNode(r.name, m.slots));
      }),
    );
    nodes.sort((a, b) => (a.name < b.name ? -1 : 1));
    if (problems.length) this.partial(problems, "the cluster cannot answer for every session");
    const restarts = new Map<ScanNode, number>();
    return {
      nodes,
      restartable: true,
      replace: async (node, cause) => {
        const n = (restarts.get(node) ?? 0) + 1;
        if (n > MAX_RESTARTS) {
          this.partial(
            [
              `master ${node.name} (slots ${slotRanges((node as ClusterScanNode).slots)}) failed ${MAX_RESTARTS} walks: ${cause.message}`,
            ],
            "the cluster kept failing",
          );
          return [];
        }
        const next = await this.takeOver(node as ClusterScanNode, cause);
        for (const x of next) restarts.set(x, n);
        return next;
      },
    };
  }

  /** The pool's name of a member, connected; or why it cannot be reached. */
  private async reach(m: ClusterMember): Promise<{ name: string } | { error: string }> {
    let name = [m.ipName, m.name].find((n) => this.connection(n));
    if (!name) {
      await this.refresh();
      name = [m.ipName, m.name].find((n) => this.connection(n));
    }
    if (!name) return { error: "the client was not told about it (CLUSTER SLOTS)" };
    const client = this.connection(name)!;
    if (client.status === "wait") {
      try {
        await client.connect();
      } catch (err) {
        const why = classify(err as Error, true).message;
        return { error: why + this.reason(name, why) };
      }
    }
    return client.status === "ready" || client.status === "connect"
      ? { name }
      : { error: `connection ${client.status}${this.reason(name)}` };
  }

  private scanNode(name: string, slots: number[]): ClusterScanNode {
    return {
      name,
      slots,
      pipeline: async (cmds, opts) => {
        // ROLE last: if the node still calls itself a master after the page,
        // the SCAN in the page ran on the master it was meant for.
        const replies = await withRetry(this.opts.attempts ?? 3, opts.idempotent, async () => {
          const r = await this.send(name, [...cmds, ["ROLE"]], opts, false);
          const busy = r.find((o) => !o.ok && /^(TRYAGAIN|CLUSTERDOWN|LOADING)\b/.test(o.error));
          if (busy && !busy.ok) throw new TransientError(busy.error.split("\n")[0], false);
          return r;
        }).catch((err) => {
          throw err instanceof TransientError ? this.down(name, err.message) : err;
        });
        const role = replies.pop()!;
        if (!role.ok || asText(asArray(role.value)[0]) !== "master")
          throw new NodeChangedError(`${name} is no longer a master (failover)`);
        const moved = replies.find((o) => !o.ok && /^(MOVED|ASK) /.test(o.error));
        if (moved && !moved.ok)
          throw new NodeChangedError(`${name} no longer serves every slot it did (${moved.error})`);
        return replies;
      },
    };
  }

  /**
   * Waits (bounded) for healthy masters to serve a lost node's slots: a
   * replica taking over after a failover. Each candidate must call itself a
   * master (ROLE), so a node whose gossip lags cannot send us back to the old
   * one. A master without replicas that cannot be reached has no successor:
   * no wait then.
   */
  private async takeOver(node: ClusterScanNode, cause: Error): Promise<ScanNode[]> {
    const deadline = Date.now() + Math.max(TAKEOVER_WAIT_MS, this.opts.timeoutMs);
    const wanted = new Set(node.slots);
    for (let attempt = 0; ; attempt++) {
      await this.refresh();
      let layout: ClusterLayout | undefined;
      try {
        layout = await this.layout();
      } catch {
        // No master answers right now: wait as for a failover.
      }
      if (layout) {
        const owners = healthyMasters(layout).filter((m) => m.slots.some((s) => wanted.has(s)));
        const covered = owners.reduce((n, m) => n + m.slots.filter((s) => wanted.has(s)).length, 0);
        const ready = covered === wanted.size ? await this.confirmMasters(owners) : undefined;
        if (ready) {
          this.opts.debug?.(
            `redis cluster: ${node.name} lost (${cause.message}); walking ${ready.map((r) => r.name).join(", ")} from the start`,
          );
          return ready;
        }
        const old = layout.members.find((m) => m.ipName === node.name || m.name === node.name);
        const successors = old ? layout.members.filter((m) => m.masterId === old.id && !m.failed) : [];
        // Still its slots' master, with no replica to take over: nothing to wait for. (A
        // master that has just handed its slots to its replica is briefly a master with
        // no slots and no replicas: that is a failover under way, so the wait goes on.)
        if (old?.master && !successors.length && old.slots.some((s) => wanted.has(s))) break;
      }
      if (Date.now() >= deadline) break;
      await sleep(Math.min(backoffMs(attempt), 1_000));
    }
    this.partial(
      [`master ${node.name} (slots ${slotRanges(node.slots)}) was lost during the walk: ${cause.message}`],
      "the cluster lost a master",
    );
    return [];
  }

  /** Scan nodes for these masters if each is reachable and says it is a master; otherwise undefined. */
  private async confirmMasters(owners: ClusterMember[]): Promise<ClusterScanNode[] | undefined> {
    const nodes: ClusterScanNode[] = [];
    for (const m of owners) {
      const r = await this.reach(m);
      if ("error" in r) return undefined;
      try {
        const [role] = await this.send(r.name, [["ROLE"]], { idempotent: true }, false);
        if (!role.ok || asText(asArray(role.value)[0]) !== "master") return undefined;
      } catch {
        return undefined;
      }
      nodes.push(this.scanNode(r.name, m.slots));
    }
    return nodes;
  }

  /** Missing parts: an error naming them, or with --allow-partial a warning each. */
  private partial(problems: string[], headline: string): void {
    if (!this.opts.allowPartial) {
      throw new ConnectionError(
        `${headline}: ${problems.join("; ")}`,
        "retry when the cluster is healthy, or pass --allow-partial to work with the reachable masters (what is skipped is named on stderr)",
      );
    }
    for (const p of problems) this.opts.warn?.(`warning: skipped: ${p}`);
  }

  /** For doctor: the layout in words, and where a key lives. */
  async report(key?: string): Promise<ClusterReport & { keyNode?: { name: string; slot: number } }> {
    const layout = await this.layout();
    const report: ClusterReport & { keyNode?: { name: string; slot: number } } = {
      state: layout.state,
      masters: masters(layout)
        .map((m) => ({
          name: m.name,
          slots: slotRanges(m.slots),
          slotCount: m.slots.length,
          replicas: replicasOf(layout, m).length,
          failed: m.failed,
        }))
        .sort((a, b) => (a.name < b.name ? -1 : 1)),
      servedSlots: servedSlots(layout),
      problems: layoutProblems(layout),
    };
    if (key !== undefined) {
      const slot = slotOf(key);
      const owner = masters(layout).find((m) => m.slots.includes(slot));
      if (owner) report.keyNode = { name: owner.name, slot };
    }
    return report;
  }
}

interface ClusterScanNode extends ScanNode {
  slots: number[];
}

function nodeName(n: IORedis): string {
  return `${n.options.host}:${n.options.port}`;
}

type Redirection = { kind: "moved" | "ask"; node: string } | { kind: "wait" };

function redirection(error: string): Redirection | undefined {
  const m = /^(MOVED|ASK) \d+ (\S+)/.exec(error);
  if (m) return { kind: m[1] === "MOVED" ? "moved" : "ask", node: m[2] };
  if (/^(TRYAGAIN|CLUSTERDOWN)\b/.test(error)) return { kind: "wait" };
  return undefined;
}
