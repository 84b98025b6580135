// Scanning chat sessions at a bounded request cost: each request carries the
// per-key commands for the previous SCAN page *and* the next SCAN, so N keys
// cost about N/1000 + 1 HTTP requests (Upstash returns ~1000 keys per SCAN
// whatever COUNT says); on a Redis Cluster, N_i/1000 + 1 round trips to each
// master i. `sessions list`, `export`, `expire --match` and
// `clear --match` all scan through here.
import type { Store, Cmd, Outcome, ScanNode, ScanNodes } from "../store/types.js";
import { scanNodesOf } from "../store/shards.js";
import { asArray, asBytes, asInt, asText, unwrap } from "../store/replies.js";
import { ttlFromReply } from "../duration/duration.js";
import { decodeRoleAndContent } from "../history/codec.js";
import type { KeySpace } from "./keys.js";
import { ConnectionError } from "../errors/errors.js";
import { boundHeapGrowth, boundYoungGeneration } from "./memory.js";
import { textFromBytes } from "../text/bytes.js";

export interface SessionInfo {
  sessionId: string;
  key: string;
  count: number;
  ttlSeconds: number | null;
  last: { role: string; content: string } | null;
}

export interface ScanOptions {
  pattern?: string;
  /** COUNT hint per SCAN call. */
  count?: number;
  /** Called with the number of matching keys found so far. */
  onProgress?: (scanned: number) => void;
  /**
   * Send each page's request while the previous page is still being read
   * (faster; at most one request more than needed when the reader stops early).
   */
  readAhead?: boolean;
  /** Keys of every type (each plan then checks the type itself); lists only by default. */
  anyType?: boolean;
}

export interface KeyPlan<T> {
  /** Commands to send for one key, in the same request as the next SCAN. */
  commands(key: string): Cmd[];
  /** Their outcomes → a result, or null to skip the key. `outcomes` is reused after the call: keep values, not it. */
  read(key: string, outcomes: Outcome[]): T | null;
}

/** Upper bound for the adaptive COUNT hint (Upstash caps pages itself). */
const MAX_SCAN_COUNT = 16_000;

function scanCommand(cursor: string, match: string, count: number, anyType?: boolean): Cmd {
  const cmd: Cmd = ["SCAN", cursor, "MATCH", match, "COUNT", count];
  return anyType ? cmd : [...cmd, "TYPE", "list"];
}

/** Nodes walked at once on a cluster. */
const PARALLEL_NODES = 8;

/**
 * Scans list keys matching the pattern and runs `plan` on each, page by page.
 * On a Redis Cluster every master is walked (in parallel, a few at a time),
 * each at the same cost per page as a single Redis; a master replaced
 * mid-walk (failover) is walked again on its successor, skipping the keys
 * already reported, so no session is missed or reported twice.
 */
export async function* scanKeys<T>(
  store: Store,
  keySpace: KeySpace,
  plan: KeyPlan<T>,
  opts: ScanOptions = {},
): AsyncGenerator<T[]> {
  await boundHeapGrowth();
  let walk: ScanNodes;
  try {
    walk = await scanNodesOf(store);
  } catch (err) {
    throw explainNoScan(err);
  }
  let found = 0;
  const w: Walk<T> = {
    plan,
    match: keySpace.match(opts.pattern ?? "*"),
    count: opts.count ?? 1000,
    anyType: opts.anyType,
    seen: walk.restartable ? new Set<string>() : undefined,
    progress: (more) => opts.onProgress?.((found += more)),
    readAhead: opts.readAhead,
  };
  for await (const page of mergeBounded(
    walk.nodes.map((node) => () => walkWithTakeover(walk, node, w)),
    PARALLEL_NODES,
  )) {
    boundYoungGeneration();
    yield page;
  }
}

/** What every node's walk shares. */
interface Walk<T> {
  plan: KeyPlan<T>;
  match: string;
  count: number;
  anyType?: boolean;
  /** Keys reported so far, when a node may be walked again. */
  seen?: Set<string>;
  progress(more: number): void;
  readAhead?: boolean;
}

async function* walkWithTakeover<T>(walk: ScanNodes, first: ScanNode, w: Walk<T>): AsyncGenerator<T[]> {
  const todo = [first];
  while (todo.length) {
    const node = todo.shift()!;
    try {
      yield* walkNode(node, w);
    } catch (err) {
      if (!walk.restartable || !(err instanceof ConnectionError) || isRefusal(err)) throw explainNoScan(err);
      todo.push(...(await walk.replace(node, err)));
    }
  }
}

/**
 * One node's keyspace, page by page: each request carries the previous page's
 * per-key commands and the next SCAN. With `readAhead`, the next request goes
 * out as soon as the SCAN reply names its keys, before this page is decoded
 * and handed on, so the server works on one page while we work on the other.
 */
async function* walkNode<T>(node: ScanNode, { plan, match, seen, progress, ...w }: Walk<T>): AsyncGenerator<T[]> {
  let count = w.count;
  let cursor = "0";
  let done = false;
  let batch: PageBatch | undefined = sendPage(node, plan, [], scanCommand(cursor, match, count, w.anyType));
  while (batch) {
    const { keys, ends } = batch;
    let outcomes: Outcome[];
    try {
      outcomes = await batch.replies;
    } catch (err) {
      throw explainNoScan(err);
    }
    batch = undefined;
    let next: string[] = [];
    if (!done) {
      const scan = outcomes[outcomes.length - 1];
      if (!scan.ok) throw explainNoScan(scan.error);
      const [nextCursor, found] = asArray(scan.value);
      cursor = asText(nextCursor);
      const all = asArray(found).map((k) => textFromBytes(asBytes(k)));
      // After a failover the successor is walked from the start: keys
      // already reported (or about to be) are not read again.
      const reading = seen && new Set(keys);
      next = seen ? all.filter((k) => !seen.has(k) && !reading?.has(k)) : all;
      // A pattern that matches few keys of a large keyspace: look at more keys
      // per call so the request count follows the matches, not the keyspace.
      if (all.length < count / 4) count = Math.min(count * 2, MAX_SCAN_COUNT);
      done = cursor === "0";
      progress(next.length);
    }
    const more = !done || next.length > 0;
    const scanNext = done ? undefined : scanCommand(cursor, match, count, w.anyType);
    if (more && w.readAhead) batch = sendPage(node, plan, next, scanNext);
    const page: T[] = [];
    const view: Outcome[] = [];
    for (let i = 0, at = 0; i < keys.length; at = ends[i++]) {
      view.length = 0;
      for (let j = at; j < ends[i]; j++) view.push(outcomes[j]);
      const result = plan.read(keys[i], view);
      if (result !== null) {
        seen?.add(keys[i]);
        page.push(result);
      }
    }
    if (page.length) yield page;
    if (more && !w.readAhead) batch = sendPage(node, plan, next, scanNext);
  }
}

/** A request in flight: the per-key commands of `keys` (ending at `ends`), then a SCAN when given. */
interface PageBatch {
  keys: string[];
  ends: number[];
  replies: Promise<Outcome[]>;
}

function sendPage<T>(node: ScanNode, plan: KeyPlan<T>, keys: string[], scan: Cmd | undefined): PageBatch {
  // One flat batch, no per-key arrays: at a million sessions every object
  // made per key is garbage to collect.
  const cmds: Cmd[] = [];
  const ends: number[] = new Array(keys.length);
  for (let i = 0; i < keys.length; i++) {
    for (const c of plan.commands(keys[i])) cmds.push(c);
    ends[i] = cmds.length;
  }
  if (scan) cmds.push(scan);
  const replies = node.pipeline(cmds, { idempotent: true });
  replies.catch(() => {}); // seen when awaited, or not at all once the consumer stopped
  return { keys, ends, replies };
}

/** A refused password or permission is no failover: walking again would only fail again. */
function isRefusal(err: ConnectionError): boolean {
  return /refused the credentials|may not run|NOPERM|WRONGPASS|NOAUTH/.test(err.message);
}

/**
 * Items from several async sources, at most `bound` running at once. A source
 * is asked for its next item only once the consumer wants one more, so each
 * is at most one item ahead, and a consumer that stops early (--limit) stops
 * the requests too. Stops the others when the consumer stops or one fails.
 */
export async function* mergeBounded<T>(sources: (() => AsyncGenerator<T>)[], bound: number): AsyncGenerator<T> {
  type Step = { id: number; r: IteratorResult<T> };
  const waiting = [...sources];
  const running = new Map<number, { gen: AsyncGenerator<T>; next?: Promise<Step> }>();
  let ids = 0;
  const pull = (id: number) => {
    const source = running.get(id)!;
    source.next = source.gen.next().then((r) => ({ id, r }));
    source.next.catch(() => {}); // a failure is seen by the race below, or not at all once we stopped
  };
  const start = () => {
    const source = waiting.shift();
    if (!source) return;
    const id = ids++;
    running.set(id, { gen: source() });
    pull(id);
  };
  try {
    while (running.size < bound && waiting.length) start();
    let consumed: number | undefined;
    for (;;) {
      if (consumed !== undefined) pull(consumed);
      const pending = [...running.values()].flatMap((x) => (x.next ? [x.next] : []));
      if (!pending.length) return;
      const { id, r } = await Promise.race(pending);
      running.get(id)!.next = undefined;
      consumed = undefined;
      if (r.done) {
        running.delete(id);
        start();
        continue;
      }
      consumed = id;
      yield r.value;
    }
  } finally {
    // Stopped early (a --limit reached, an error): let the others end quietly.
    await Promise.allSettled(
      [...running.values()].map((x) => (x.next ?? Promise.resolve()).then(() => x.gen.return(undefined))),
    );
  }
}

/** What a session is without its messages: enough to sort 100,000 of them in little memory. */
export type SessionMeta = Omit<SessionInfo, "last">;

/** LLEN and TTL of each session. */
export function sessionMetaPlan(keySpace: KeySpace): KeyPlan<SessionMeta> {
  return {
    commands: (k) => [
      ["LLEN", k],
      ["TTL", k],
    ],
    read(key, o) {
      if (!o[0].ok || !o[1].ok) return null; // changed type between SCAN and now
      const ttl = asInt(o[1].value);
      const count = asInt(o[0].value);
      if (ttl === -2 || count === 0) return null; // deleted or expired meanwhile
      return { sessionId: keySpace.sessionId(key), key, count, ttlSeconds: ttlFromReply(ttl) };
    },
  };
}

/** The newest message out of an LINDEX 0 reply. */
export function newestMessage(o: Outcome): SessionInfo["last"] {
  return o.ok && o.value !== null ? decodeRoleAndContent(asBytes(o.value)) : null;
}

/** LLEN, TTL and the newest element of each session. */
export function sessionInfoPlan(keySpace: KeySpace): KeyPlan<SessionInfo> {
  const meta = sessionMetaPlan(keySpace);
  return {
    commands: (k) => [...meta.commands(k), ["LINDEX", k, 0]],
    read(key, o) {
      const m = meta.read(key, o);
      return (
        m && { sessionId: m.sessionId, key: m.key, count: m.count, ttlSeconds: m.ttlSeconds, last: newestMessage(o[2]) }
      );
    },
  };
}

export function scanSessions(store: Store, keySpace: KeySpace, opts: ScanOptions = {}): AsyncGenerator<SessionInfo[]> {
  return scanKeys(store, keySpace, sessionInfoPlan(keySpace), opts);
}

function explainNoScan(err: unknown): unknown {
  const text = typeof err === "string" ? err : err instanceof Error ? err.message : "";
  if (/NOPERM/.test(text)) {
    return new ConnectionError(
      "this token cannot list sessions: Upstash read-only tokens may not run SCAN",
      "use the standard (read-write) token to list; `history show <id>` works with a read-only token",
    );
  }
  if (typeof err === "string") {
    try {
      unwrap({ ok: false, error: err });
    } catch (e) {
      return e;
    }
  }
  return err;
}
