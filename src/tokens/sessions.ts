// `sessions list --tokens`: each session's chat total, the same number
// `history show --tokens` gives. Sessions arrive page by page from the
// listing; their elements are read in batches of about ELEMENTS_PER_REQUEST,
// counted and let go, so memory holds one batch whatever the sessions hold
// (a session larger than a batch is read in pages from its tail).
import type { Store } from "../store/types.js";
import type { KeySpace } from "../sessions/keys.js";
import type { SessionInfo } from "../sessions/scan.js";
import { listSessions, type ListOptions } from "../sessions/list.js";
import { asBytesList, unwrap } from "../store/replies.js";
import { decodeElement } from "../history/codec.js";
import { readPagesFromTail, PAGE_SIZE } from "../history/read.js";
import { chatTotal, messageTokens, type Counter } from "./count.js";

export interface SessionTokens extends SessionInfo {
  tokens: number;
  /** The total's share of the model's window (0.25 = a quarter); null when the window is unknown. */
  windowShare: number | null;
  estimated: boolean;
}

/** Elements read per request: a batch of small sessions, or one page of a large one. */
const ELEMENTS_PER_REQUEST = 5000;
/** With --sort tokens every row is held until sorted: the newest message is cut to what a line shows. */
const SORTED_LAST_CHARS = 200;

function totalOf(counter: Counter, newestFirst: Buffer[]): number {
  const per: number[] = [];
  for (let i = newestFirst.length - 1; i >= 0; i--)
    per.push(messageTokens(counter.text, decodeElement(newestFirst[i], 0)));
  return chatTotal(per);
}

/** One page of sessions with their totals. */
async function countPage(store: Store, counter: Counter, page: SessionInfo[]): Promise<SessionTokens[]> {
  const out: SessionTokens[] = page.map((s) => ({
    ...s,
    tokens: 0,
    windowShare: null,
    estimated: counter.choice.estimated,
  }));
  let batch: number[] = [];
  let size = 0;
  const flush = async () => {
    if (!batch.length) return;
    const outcomes = await store.pipeline(
      batch.map((i) => ["LRANGE", out[i].key, 0, -1]),
      { idempotent: true },
    );
    batch.forEach((i, j) => {
      out[i].tokens = totalOf(counter, asBytesList(unwrap(outcomes[j])));
    });
    batch = [];
    size = 0;
  };
  for (const [i, s] of out.entries()) {
    if (s.count > PAGE_SIZE) {
      // Large: page by page from the tail, each page counted and dropped.
      let sum = 0;
      for await (const els of readPagesFromTail(store, s.key)) sum += totalOf(counter, els) - chatTotal([]);
      s.tokens = sum + chatTotal([]);
      continue;
    }
    if (size + s.count > ELEMENTS_PER_REQUEST) await flush();
    batch.push(i);
    size += s.count;
  }
  await flush();
  const window = counter.choice.contextWindow;
  for (const s of out) s.windowShare = window ? Math.round((10000 * s.tokens) / window) / 10000 : null;
  return out;
}

/** Sessions with their token totals: as listed, or with sort "tokens" the largest first. */
export async function* listSessionTokens(
  store: Store,
  keys: KeySpace,
  counter: Counter,
  opts: Omit<ListOptions, "sort"> & { sort?: ListOptions["sort"] | "tokens" },
): AsyncGenerator<SessionTokens[]> {
  if (opts.sort !== "tokens") {
    for await (const page of listSessions(store, keys, { ...opts, sort: opts.sort }))
      yield await countPage(store, counter, page);
    return;
  }
  const rows: SessionTokens[] = [];
  for await (const page of listSessions(store, keys, { ...opts, sort: undefined, limit: undefined })) {
    for (const s of await countPage(store, counter, page)) {
      const last =
        s.last && s.last.content.length > SORTED_LAST_CHARS
          ? { ...s.last, content: s.last.content.slice(0, SORTED_LAST_CHARS) }
          : s.last;
      rows.push({ ...s, last });
    }
  }
  rows.sort((a, b) => b.tokens - a.tokens || (a.sessionId < b.sessionId ? -1 : a.sessionId > b.sessionId ? 1 : 0));
  if (opts.limit !== undefined && rows.length > opts.limit) {
    opts.onCut?.(opts.limit, rows.length, true);
    rows.length = opts.limit;
  }
  for (let i = 0; i < rows.length; i += 1000) yield rows.slice(i, i + 1000);
}
