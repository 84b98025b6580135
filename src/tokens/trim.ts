// `trim`: drop a session's oldest messages so the newest N, or the newest that
// fit T tokens, remain. A leading system message or stored summary stays
// first (and counts) unless told otherwise. Each session is trimmed by one
// script that checks its oldest elements are still the ones read, so what the
// app stores meanwhile is kept and a retried trim is never applied twice.
// planTrim is pure; readTrims and applyTrims are what the command and any
// other caller (a tool for agents) run, and TrimResult is the --json object.
import type { Store } from "../store/types.js";
import type { KeySpace } from "../sessions/keys.js";
import { asArray, asInt, unwrap } from "../store/replies.js";
import { decodeHistory, type DecodedMessage } from "../history/codec.js";
import { readHistory } from "../history/read.js";
import { notFound, wrongType } from "../history/show.js";
import { summaryMark } from "../summarize/memory.js";
import { tailDigest } from "../summarize/compact.js";
import { TRIM } from "../write/scripts.js";
import { CliError, ExitCode } from "../errors/errors.js";
import { chatTotal, messageTokens, type Counter } from "./count.js";
import { exportElement, type ExportLine } from "../transfer/format.js";

export interface TrimRequest {
  /** Keep the newest N messages (a kept leading message not counted among them). */
  keep?: number;
  /** Keep the newest messages whose chat total (overhead and a kept leading message included) fits T. */
  maxTokens?: number;
  /** Keep a leading system message or stored summary (default true). */
  keepSystem: boolean;
}

/** What trimming one history (oldest first) would do. */
export interface TrimDecision {
  /** Oldest messages dropped (after the kept leading one, if any). */
  drop: number;
  /** The oldest message stays first. */
  keepLead: boolean;
  droppedTokens: number;
  /** Chat totals before and after (reply priming included). */
  tokensBefore: number;
  tokensAfter: number;
}

/** A leading system message, or a summary stored by `summarize --store`. */
export function isLead(m: DecodedMessage | undefined): boolean {
  return m !== undefined && (m.type === "system" || summaryMark(m) !== undefined);
}

export function planTrim(
  messages: readonly DecodedMessage[],
  tokens: readonly number[],
  req: TrimRequest,
): TrimDecision {
  const keepLead = req.keepSystem && isLead(messages[0]);
  const start = keepLead ? 1 : 0;
  const body = messages.length - start;
  let kept = 0;
  if (req.keep !== undefined) kept = Math.min(req.keep, body);
  else {
    let total = chatTotal(keepLead ? [tokens[0]] : []);
    for (let i = messages.length - 1; i >= start; i--) {
      if (total + tokens[i] > (req.maxTokens ?? Infinity)) break;
      total += tokens[i];
      kept++;
    }
  }
  const drop = body - kept;
  let droppedTokens = 0;
  for (let i = start; i < start + drop; i++) droppedTokens += tokens[i];
  const tokensBefore = chatTotal(tokens);
  return { drop, keepLead, droppedTokens, tokensBefore, tokensAfter: tokensBefore - droppedTokens };
}

/** One session read and planned: everything the write needs, and what a backup saves. */
export interface TrimPlan extends TrimDecision {
  sessionId: string;
  key: string;
  before: number;
  after: number;
  ttlSeconds: number | null;
  /** The dropped elements, newest first as stored (for --backup). */
  dropped: Buffer[];
  /** 1-based indices of the first and last dropped message. */
  droppedRange: [number, number] | null;
  script: { n: number; before: string; m: number; after: string };
}

/**
 * Reads and plans each session. A missing session or a key that is not a list
 * fails here, before anything is written.
 */
export async function readTrims(
  store: Store,
  keys: KeySpace,
  ids: string[],
  counter: Counter,
  req: TrimRequest,
): Promise<TrimPlan[]> {
  const plans: TrimPlan[] = [];
  for (const sessionId of ids) {
    const key = keys.key(sessionId);
    const h = await readHistory(store, key);
    if (h.type === "none") throw await notFound(store, keys, sessionId);
    if (h.type !== "list") throw wrongType(key, h.type);
    const messages = decodeHistory(h.newestFirst, h.firstIndex);
    const tokens = messages.map((m) => messageTokens(counter.text, m));
    const d = planTrim(messages, tokens, req);
    const start = d.keepLead ? 1 : 0;
    // newestFirst[j] is message count - j; the oldest is last.
    const all = h.newestFirst;
    const n = all.length;
    const dropped = all.slice(n - start - d.drop, n - start);
    const kept = all.slice(0, n - start - d.drop);
    const remaining = d.keepLead ? [...kept, all[n - 1]] : kept;
    plans.push({
      ...d,
      sessionId,
      key,
      before: n,
      after: n - d.drop,
      ttlSeconds: h.ttlSeconds,
      dropped,
      droppedRange: d.drop ? [start + 1, start + d.drop] : null,
      script: { n, before: tailDigest(all), m: remaining.length, after: tailDigest(remaining) },
    });
  }
  return plans;
}

export interface Trimmed {
  sessionId: string;
  before: number;
  after: number;
  droppedTokens: number;
}

/** The --json object: sessions trimmed (or, in a dry run, that would be). */
export interface TrimResult {
  trimmed: Trimmed[];
  /** Changed at their oldest end since they were read: left as they are. */
  changed: string[];
  dryRun?: boolean;
}

const BATCH = 100;

export function trimmedOf(p: TrimPlan, after = p.after): Trimmed {
  return { sessionId: p.sessionId, before: p.before, after, droppedTokens: p.droppedTokens };
}

/** Runs the trims that drop something, in batches of one script per session. */
export async function applyTrims(
  store: Store,
  plans: TrimPlan[],
  onProgress?: (done: number) => void,
): Promise<TrimResult> {
  const todo = plans.filter((p) => p.drop > 0);
  const result: TrimResult = { trimmed: [], changed: [] };
  for (let i = 0; i < todo.length; i += BATCH) {
    const batch = todo.slice(i, i + BATCH);
    const outcomes = await store.pipeline(
      batch.map((p) => [
        "EVAL",
        TRIM,
        1,
        p.key,
        p.script.n,
        p.script.before,
        p.script.m,
        p.script.after,
        p.drop,
        p.keepLead ? "1" : "0",
      ]),
      { idempotent: true },
    );
    batch.forEach((p, j) => {
      const [status, length] = asArray(unwrap(outcomes[j])).map(asInt);
      if (status === 0) result.changed.push(p.sessionId);
      // `after` is the length now, with whatever the app appended since the read.
      else result.trimmed.push(trimmedOf(p, length));
    });
    onProgress?.(Math.min(i + BATCH, todo.length));
  }
  return result;
}

export function changedError(result: TrimResult): CliError | undefined {
  if (!result.changed.length) return undefined;
  return new CliError(
    `${result.changed.length === 1 ? `session '${result.changed[0]}'` : `${result.changed.length} sessions`} changed at the oldest end since it was read: not trimmed`,
    ExitCode.failure,
    "another process trims or compacts it; run again",
  );
}

/** The messages trimming drops, as `export` writes sessions (the --backup of trim). */
export async function* droppedLines(plans: TrimPlan[]): AsyncGenerator<ExportLine> {
  for (const p of plans)
    yield { key: p.key, sessionId: p.sessionId, ttlSeconds: p.ttlSeconds, elements: p.dropped.map(exportElement) };
}
