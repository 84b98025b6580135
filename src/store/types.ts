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
}

export interface StoreStats {
  /** Round trips: HTTP requests over REST, pipelines over redis://. */
  requests: number;
  /** Redis commands sent (what Upstash bills). */
  commands: number;
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
}

export interface StoreOptions {
  url: string;
  token?: string;
  timeoutMs: number;
  /** Attempts for idempotent batches (first try included). */
  attempts?: number;
  debug?: (line: string) => void;
}
