// One interface for both transports (Upstash REST and redis://). Everything
// above src/store speaks in batches of commands: a batch is one round trip,
// which is what the request budgets in the README are counted in.

export type Arg = string | number | Buffer;
export type Cmd = Arg[];
/** Replies keep bulk strings as bytes, so stored elements survive unchanged. */
export type Reply = null | number | Buffer | Reply[];
export type Outcome = { ok: true; value: Reply } | { ok: false; error: string };

export interface BatchOptions {
  /**
   * Safe to send again when the answer is lost (reads, and writes designed to
   * be idempotent). Non-idempotent batches are never retried once sent.
   */
  idempotent: boolean;
  /**
   * Called before the batch is sent again after an answer that was lost
   * (it may have run): an idempotent write then learns that what it finds
   * done may be its own earlier work.
   */
  onResend?: () => void;
}

export interface StoreStats {
  /** Round trips: HTTP requests over REST, pipelines over redis://. */
  requests: number;
  /** Redis commands sent (what Upstash bills). */
  commands: number;
  /** On a Redis Cluster: the same counts per node ("host:port"). */
  nodes?: Record<string, { requests: number; commands: number }>;
}

/**
 * One server of a keyspace that is split across several (a Redis Cluster's
 * masters), for the commands that walk the keyspace: SCAN only sees the keys
 * of the server it runs on.
 */
export interface ScanNode {
  /** host:port on a cluster; the store's target otherwise. */
  readonly name: string;
  /**
   * One round trip to this node only. On a cluster it throws NodeChangedError
   * when the node no longer serves the slots it served when the walk began
   * (failover, slots moved), so the caller can walk again where they went.
   */
  pipeline(cmds: Cmd[], opts: BatchOptions): Promise<Outcome[]>;
}

export interface ScanNodes {
  nodes: ScanNode[];
  /** True when a node can be replaced mid-walk (a cluster): walks then skip keys already seen. */
  restartable: boolean;
  /**
   * A node failed mid-walk: the nodes that now serve its keys, to walk from
   * the start. [] when partial results are allowed (what was skipped is said
   * on stderr); otherwise it throws, naming the node.
   */
  replace(node: ScanNode, cause: Error): Promise<ScanNode[]>;
}

/** A Redis Cluster as doctor reports it. */
export interface ClusterReport {
  state: string;
  masters: { name: string; slots: string; slotCount: number; replicas: number; failed: boolean }[];
  /** Slots served by a healthy master, out of 16384. */
  servedSlots: number;
  /** Problems, one line each ("master 127.0.0.1:7002 (slots 10923-16383) is unreachable"). */
  problems: string[];
}

export interface Store {
  readonly transport: "rest" | "redis";
  /** Where it points, without credentials (for messages). */
  readonly target: string;
  readonly stats: StoreStats;
  /** Non-atomic batch in one round trip; each command fails on its own. */
  pipeline(cmds: Cmd[], opts: BatchOptions): Promise<Outcome[]>;
  /** MULTI/EXEC in one round trip; a queue-time error rejects the whole batch. */
  transaction(cmds: Cmd[], opts: BatchOptions): Promise<Outcome[]>;
  close(): Promise<void>;
  /**
   * Where a keyspace-wide walk must go (every master of a cluster). Absent
   * when the store is one keyspace: see scanNodesOf() in ./shards.ts.
   */
  scanNodes?(): Promise<ScanNodes>;
  /** Keys split so each part fits one multi-key command (one hash slot on a cluster). */
  keyGroups?(keys: string[]): Promise<string[][]>;
  /** The cluster's layout and the node holding a key; undefined when not a cluster. */
  cluster?(key?: string): Promise<(ClusterReport & { keyNode?: { name: string; slot: number } }) | undefined>;
}

export interface StoreOptions {
  url: string;
  token?: string;
  timeoutMs: number;
  /** Attempts for idempotent batches (first try included). */
  attempts?: number;
  debug?: (line: string) => void;
  /** On a cluster, go on without unreachable masters (listing and --match commands) instead of failing. */
  allowPartial?: boolean;
  /** Where warnings go (stderr): what a partial walk skipped. */
  warn?: (line: string) => void;
}
