// `search`: the messages of every session (or those matching a pattern) whose
// content holds the text. The walk is the listing's (src/sessions/scan.ts):
// one request per page of ~1,000 sessions (per master on a cluster), and in
// it one script call per session that sends back only the elements that may
// match (SEARCH_LUA). The codec has the final word on each: a hit is a chat
// message whose decoded content matches, in the role asked for.
//
// The MCP tool `search_messages` and the command share this function:
//   searchMessages(store, keys, { query: compileQuery({text, caseSensitive, regex}),
//                                 pattern, role, limit }) → { hits, summary }
//   hits: AsyncGenerator<SearchHit>, each exactly one `--json` array element;
//   summary: filled in as the walk goes (sessions searched, elements skipped).
// Stopping the loop over `hits` (opts.limit does) stops the requests.
import type { Outcome, Store } from "../store/types.js";
import type { KeySpace } from "../sessions/keys.js";
import { keyFields } from "../sessions/keys.js";
import { scanKeys, type KeyPlan } from "../sessions/scan.js";
import { asArray, asBytes, asInt } from "../store/replies.js";
import { decodeElement } from "../history/codec.js";
import type { Query } from "./query.js";
import { SEARCH_LUA, loadScript, script, scriptCall, scriptFailed } from "./scripts.js";

export interface SearchHit {
  sessionId: string;
  key: string;
  /** Bytes of a key that is not UTF-8 (key is then shown with \xff escapes). */
  keyBase64?: string;
  /** The number `history show` gives the message: 1 is the oldest. */
  index: number;
  role: string;
  type: string;
  content: string;
}

export interface SearchOptions {
  query: Query;
  /** Glob on session ids (after the prefix). */
  pattern?: string;
  /** user / assistant / system / tool (human and ai accepted). */
  role?: string;
  /** Stop after this many hits (and send nothing more). */
  limit?: number;
  onProgress?: (sessions: number) => void;
}

export interface SearchSummary {
  /** Sessions looked at. */
  sessions: number;
  hits: number;
  /** Elements that hold the text but are not chat messages (never hits). */
  skipped: number;
  /** False when --limit stopped the walk. */
  complete: boolean;
}

/** What a session sent back: its length and the elements that may match, with their positions from the head. */
interface Candidates {
  key: string;
  count: number;
  found: [position: number, element: Buffer][];
  /** More to look at from this index (1 = the oldest) down: the script's byte budget was spent. */
  next?: number;
  /** The script did not run: read the session plainly (the elements from this index down, or all). */
  retry?: boolean;
}

const ROLE_NAMES: Record<string, string> = { human: "user", ai: "assistant" };

export function normalizeRole(role: string): string {
  return ROLE_NAMES[role] ?? role;
}

const SEARCH = script(SEARCH_LUA);

/**
 * Bytes of elements one script call sends back: a page of 1,000 sessions then
 * stays well under the 10 MB Upstash allows a response, however much matches;
 * a session with more goes on in further calls (1,000 sessions a request).
 */
const BUDGET = 4096;
const CONTINUE_BATCH = 1000;

function searchCall(store: Store, query: Query, key: string, from = 0) {
  if (!query.pieces.length) return null;
  return scriptCall(store, SEARCH, key, [query.fold ? "1" : "0", BUDGET, from, ...query.pieces]);
}

function searchPlan(store: Store, query: Query): KeyPlan<Candidates> {
  return {
    commands: (key) => [searchCall(store, query, key) ?? ["LRANGE", key, 0, -1]],
    read(key, [o]) {
      if (scriptFailed(o)) return { key, count: 0, found: [], retry: true };
      return o.ok ? candidates(key, o, searchCall(store, query, key) !== null) : null;
    },
  };
}

function candidates(key: string, o: Outcome & { ok: true }, scripted: boolean): Candidates | null {
  const reply = asArray(o.value);
  if (!scripted) {
    const els = reply.map((e) => asBytes(e));
    return { key, count: els.length, found: els.map((e, i) => [i, e]) };
  }
  const count = asInt(reply[0]);
  if (count === 0) return null;
  const next = asInt(reply[1]);
  const found: Candidates["found"] = [];
  for (let i = 2; i + 1 < reply.length; i += 2) found.push([asInt(reply[i]), asBytes(reply[i + 1])]);
  return next > 0 ? { key, count, found, next } : { key, count, found };
}

/** Sessions whose script did not run, read plainly (one request for the lot); `below`: only elements from that index down. */
async function readPlainly(store: Store, retry: { key: string; below?: number }[]): Promise<Candidates[]> {
  const outcomes = await store.pipeline(
    retry.map(({ key }) => ["LRANGE", key, 0, -1]),
    { idempotent: true },
  );
  return retry.flatMap(({ key, below }, i) => {
    const o = outcomes[i];
    const c = o.ok ? candidates(key, o, false) : null;
    if (!c) return [];
    if (below !== undefined) c.found = c.found.filter(([position]) => c.count - position <= below);
    return [c];
  });
}

/** The rest of sessions whose budget ran out, a round of calls at a time, until none is left. */
async function* continued(store: Store, query: Query, first: Candidates[]): AsyncGenerator<Candidates> {
  let todo = first.map((c) => ({ key: c.key, from: c.next! }));
  while (todo.length) {
    const batch = todo.slice(0, CONTINUE_BATCH);
    todo = todo.slice(CONTINUE_BATCH);
    const outcomes = await store.pipeline(
      batch.map(({ key, from }) => searchCall(store, query, key, from)!),
      { idempotent: true },
    );
    const retry: { key: string; below: number }[] = [];
    for (const [i, { key, from }] of batch.entries()) {
      const o = outcomes[i];
      if (scriptFailed(o)) retry.push({ key, below: from });
      const c = o.ok ? candidates(key, o, true) : null;
      if (!c) continue;
      if (c.next) todo.push({ key, from: c.next });
      yield c;
    }
    if (retry.length) yield* await readPlainly(store, retry);
  }
}

async function* chain<T>(first: T[], rest: AsyncIterable<T>): AsyncGenerator<T> {
  yield* first;
  yield* rest;
}

export function searchMessages(
  store: Store,
  keySpace: KeySpace,
  opts: SearchOptions,
): { hits: AsyncGenerator<SearchHit>; summary: SearchSummary } {
  const summary: SearchSummary = { sessions: 0, hits: 0, skipped: 0, complete: true };
  const role = opts.role === undefined ? undefined : normalizeRole(opts.role);
  const limit = opts.limit ?? Infinity;
  async function* hits(): AsyncGenerator<SearchHit> {
    if (limit <= 0) return;
    if (opts.query.pieces.length) await loadScript(store, SEARCH);
    const pages = scanKeys(store, keySpace, searchPlan(store, opts.query), {
      pattern: opts.pattern,
      onProgress: opts.onProgress,
    });
    for await (const page of pages) {
      const retry = page.filter((c) => c.retry).map((c) => ({ key: c.key }));
      const done = [...page.filter((c) => !c.retry), ...(retry.length ? await readPlainly(store, retry) : [])];
      const more = done.filter((c) => c.next);
      summary.sessions += done.length;
      for await (const c of chain(done, continued(store, opts.query, more))) {
        // Oldest first within what one call sent, as `history show` lists them.
        for (let i = c.found.length - 1; i >= 0; i--) {
          const [position, element] = c.found[i];
          const m = decodeElement(element, c.count - position);
          if (m.problem) {
            if (opts.query.find(m.raw)) summary.skipped++;
            continue;
          }
          if (role !== undefined && m.role !== role) continue;
          if (!opts.query.find(m.content)) continue;
          summary.hits++;
          yield {
            ...keyFields(keySpace.sessionId(c.key), c.key),
            index: m.index,
            role: m.role,
            type: m.type,
            content: m.content,
          };
          if (summary.hits >= limit) {
            summary.complete = false;
            return;
          }
        }
      }
    }
  }
  return { hits: hits(), summary };
}
