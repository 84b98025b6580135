// redis:// and rediss:// transport (Upstash's TCP endpoint, self-hosted Redis,
// Flowise's "Redis-Backed Chat Memory"), through ioredis with byte replies.
// Connecting asks the server `INFO cluster` once: a node of a Redis Cluster
// (any node, master or replica) hands everything to store/cluster.ts, seeded
// with that node. That question is part of connecting, like AUTH, and is not
// counted as a round trip in --stats.
import { isIP } from "node:net";
import { Redis as IORedis } from "ioredis";
import { ConnectionError } from "../errors/errors.js";
import { registerSecret } from "../errors/secrets.js";
import { givingUpHint, noAnswer, TransientError, withRetry } from "./retry.js";
import { classify, connectionOptions, execBatch, isAuthFailure, notRedis } from "./redis-exec.js";
import type { ClusterRouter } from "./cluster.js";
import type { BatchOptions, Cmd, Outcome, ScanNodes, Store, StoreOptions, StoreStats } from "./types.js";

/** A batch, its connecting and its retries take at most this many --timeout periods together. */
const BUDGET_TIMEOUTS = 3;

export class RedisStore implements Store {
  readonly transport = "redis" as const;
  readonly stats: StoreStats = { requests: 0, commands: 0 };
  readonly target: string;
  private readonly url: URL;
  private client: IORedis;
  /** Resolves once connected: to the cluster router on a cluster, else undefined. */
  private ready?: Promise<ClusterRouter | undefined>;
  private router?: ClusterRouter;
  /** ioredis reports a refused password as an event; commands then only see "Connection is closed". */
  private lastError?: Error;
  private done = false;

  constructor(private readonly opts: StoreOptions) {
    const u = new URL(opts.url);
    this.url = u;
    registerSecret(decodeURIComponent(u.password));
    this.target = `${u.protocol}//${u.host}`;
    this.client = this.newClient();
  }

  private newClient(): IORedis {
    const { opts, url: u } = this;
    const client = new IORedis(opts.url, {
      ...connectionOptions(u, opts.timeoutMs),
      // SNI carries a host name, never an IP address (RFC 6066).
      ...(u.protocol === "rediss:"
        ? { tls: isIP(u.hostname.replace(/^\[|\]$/g, "")) ? {} : { servername: u.hostname } }
        : {}),
    });
    // Errors surface through the commands; keep ioredis from printing them.
    client.on("error", (err) => {
      this.lastError = err;
      opts.debug?.(`redis: ${err.message}`);
    });
    return client;
  }

  private connect(): Promise<ClusterRouter | undefined> {
    this.ready ??= this.open().catch((err: Error) => {
      this.ready = undefined;
      if (err instanceof TransientError || err instanceof ConnectionError) throw err;
      // ioredis rejects with "Connection is closed."; the error event said why (ECONNREFUSED, a refused certificate, ...).
      const network = (this.lastError as { code?: unknown } | undefined)?.code ? this.lastError : undefined;
      throw notRedis(this.lastError, this.target) ?? classify(this.authFailure() ?? network ?? err, true);
    });
    return this.ready;
  }

  private async open(): Promise<ClusterRouter | undefined> {
    // Given up on (the budget ran out) or closed: a retry still under way opens nothing more.
    if (this.done) throw new TransientError("the connection was closed", true);
    // Connecting again (a retry) starts from a new connection: the last one may still be closing.
    if (this.client.status !== "wait") {
      this.client.disconnect();
      this.client = this.newClient();
    }
    await this.client.connect();
    if (!(await this.isClusterNode())) return undefined;
    this.opts.debug?.("redis: cluster_enabled:1, connecting to the cluster");
    const { ClusterRouter } = await import("./cluster.js");
    const router = new ClusterRouter(this.url, this.opts, this.stats);
    this.client.disconnect();
    await router.connect();
    this.router = router;
    return router;
  }

  private async isClusterNode(): Promise<boolean> {
    try {
      return /^cluster_enabled:1\b/m.test(String(await this.client.info("cluster")));
    } catch (err) {
      // A server that refuses INFO (some hosted Redis) is not a cluster we
      // could route for anyway; a refused password shows on the next command.
      // One that does not answer at all, or not in Redis's protocol, is no server to go on with.
      this.opts.debug?.(`redis: INFO cluster: ${(err as Error).message}`);
      const other = notRedis(this.lastError, this.target);
      const silent = /timed? ?out/i.test((err as Error).message);
      if (!other && !silent) return false;
      throw other ?? classify(err as Error, true);
    }
  }

  pipeline(cmds: Cmd[], opts: BatchOptions): Promise<Outcome[]> {
    return this.run(cmds, opts, false);
  }

  transaction(cmds: Cmd[], opts: BatchOptions): Promise<Outcome[]> {
    return this.run(cmds, opts, true);
  }

  async scanNodes(): Promise<ScanNodes> {
    const router = await this.connected();
    if (router) return router.scanNodes();
    const { oneNode } = await import("./shards.js");
    return oneNode(this);
  }

  async keyGroups(keys: string[]): Promise<string[][]> {
    const router = await this.connected();
    if (router) return router.keyGroups(keys);
    return keys.length ? [keys] : [];
  }

  async cluster(key?: string) {
    const router = await this.connected();
    return router?.report(key);
  }

  async close(): Promise<void> {
    this.done = true;
    this.router?.close();
    // A second disconnect() would leave ioredis waiting 2 s for a socket that already closed.
    if (this.client.status !== "end") this.client.disconnect();
  }

  private authFailure(): Error | undefined {
    const e = this.lastError;
    return e && isAuthFailure(e) ? e : undefined;
  }

  /** Connecting is safe to retry whatever the batch: nothing was sent yet. */
  private connected(): Promise<ClusterRouter | undefined> {
    return this.withinBudget(Date.now(), () => withRetry(this.opts.attempts ?? 3, true, () => this.connect())).catch(
      (err) => {
        throw this.connectionError(err);
      },
    );
  }

  /**
   * Connecting, retries and the batch together end within about 3× --timeout,
   * as over REST: a server that accepts and never answers is given up on then.
   * What is still pending is dropped with the connection.
   */
  private withinBudget<T>(started: number, work: () => Promise<T>): Promise<T> {
    const left = BUDGET_TIMEOUTS * this.opts.timeoutMs - (Date.now() - started);
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => {
          this.done = true;
          this.ready = undefined;
          this.client.disconnect();
          reject(noAnswer(this.opts.timeoutMs));
        },
        Math.max(left, 0),
      );
    });
    return Promise.race([work(), expired]).finally(() => clearTimeout(timer));
  }

  private async run(cmds: Cmd[], opts: BatchOptions, atomic: boolean): Promise<Outcome[]> {
    if (cmds.length === 0) return [];
    const started = Date.now();
    const router = await this.connected();
    if (router) return router.run(cmds, opts, atomic);
    return this.withinBudget(started, () => this.runOnNode(cmds, opts, atomic)).catch((err) => {
      throw this.connectionError(err);
    });
  }

  private runOnNode(cmds: Cmd[], opts: BatchOptions, atomic: boolean): Promise<Outcome[]> {
    return withRetry(
      this.opts.attempts ?? 3,
      opts.idempotent,
      async () => {
        await this.connect();
        this.stats.requests++;
        this.stats.commands += cmds.length;
        const started = Date.now();
        this.opts.debug?.(`→ ${atomic ? "MULTI" : "PIPELINE"} (${cmds.length} commands)`);
        try {
          return await execBatch(this.client, cmds, atomic);
        } catch (err) {
          const auth = this.authFailure();
          throw notRedis(this.lastError, this.target) ?? (auth ? classify(auth, false) : err);
        } finally {
          this.opts.debug?.(`← in ${Date.now() - started} ms`);
        }
      },
      undefined,
      opts.onResend,
    );
  }

  private connectionError(err: unknown): unknown {
    if (err instanceof TransientError) {
      return new ConnectionError(
        `${err.message} (${this.target})`,
        givingUpHint(err, this.opts.url, "check the redis:// URL, the password and that the server is reachable"),
      );
    }
    return err;
  }
}
