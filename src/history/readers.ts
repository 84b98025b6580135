// The readers that load chat memory, and what each does with every element of
// a session: loads it, drops it without a word, or breaks loading (throws, so
// the app gets no history at all). `doctor` reports these verdicts and
// `repair` acts on them; both see a session the way its reader does.
import { langchainJsVerdict, type Outcome, type ReaderVerdict } from "./reader-js.js";
import { langchainPythonVerdict } from "./reader-python.js";
import { decodeHistory, type DecodedMessage, type ElementProblem } from "./codec.js";

export type { Outcome, ReaderVerdict } from "./reader-js.js";

export type ReaderId = "langchain-js" | "langchain-python";

export const READERS: Record<ReaderId, { label: string; verdict: (bytes: Buffer) => ReaderVerdict }> = {
  "langchain-js": { label: "LangChain JS / Flowise", verdict: langchainJsVerdict },
  "langchain-python": { label: "LangChain Python", verdict: langchainPythonVerdict },
};

export const READER_IDS = Object.keys(READERS) as ReaderId[];

/** LangChain Python's default key prefix; JS readers and Flowise use the session id as the key. */
export const PYTHON_PREFIX = "message_store:";

/**
 * The readers that load this key: LangChain Python under its default prefix
 * `message_store:`, LangChain JS and Flowise everywhere else (they read the
 * session id itself as the key).
 */
export function readersOf(key: string): ReaderId[] {
  return key.startsWith(PYTHON_PREFIX) ? ["langchain-python"] : ["langchain-js"];
}

export type Verdicts = Record<ReaderId, ReaderVerdict>;

export function verdictsOf(bytes: Buffer): Verdicts {
  return {
    "langchain-js": READERS["langchain-js"].verdict(bytes),
    "langchain-python": READERS["langchain-python"].verdict(bytes),
  };
}

const RANK: Record<Outcome, number> = { loads: 0, dropped: 1, breaks: 2 };

export interface ElementVerdict {
  /** 1-based, oldest first. */
  index: number;
  bytes: Buffer;
  verdicts: Verdicts;
  /** The worst outcome among the readers of this key. */
  outcome: Outcome;
  /** Why, from the first of this key's readers that does not load it. */
  problem?: ElementProblem;
  why?: string;
  /** The message inside an element encoded twice, when this key's readers load it. */
  unwrapped?: string;
}

export function judgeElement(bytes: Buffer, index: number, readers: ReaderId[]): ElementVerdict {
  const verdicts = verdictsOf(bytes);
  let worst: ReaderVerdict = { outcome: "loads" };
  for (const r of readers) if (RANK[verdicts[r].outcome] > RANK[worst.outcome]) worst = verdicts[r];
  const v: ElementVerdict = { index, bytes, verdicts, outcome: worst.outcome, problem: worst.problem, why: worst.why };
  if (worst.outcome !== "loads" && worst.problem === "JSON in a string") {
    const inner = innerMessage(bytes, readers);
    if (inner !== undefined) v.unwrapped = inner;
  }
  return v;
}

/** Elements as LRANGE returns them (newest first) → verdicts oldest first. */
export function judgeSession(newestFirst: Buffer[], key: string, firstIndex = 1): ElementVerdict[] {
  const readers = readersOf(key);
  const out: ElementVerdict[] = [];
  for (let i = newestFirst.length - 1, n = firstIndex; i >= 0; i--, n++)
    out.push(judgeElement(newestFirst[i], n, readers));
  return out;
}

/** The text inside a JSON string element, if every given reader loads it as an element of its own. */
function innerMessage(bytes: Buffer, readers: ReaderId[]): string | undefined {
  let inner: unknown;
  try {
    inner = JSON.parse(bytes.toString("utf8"));
  } catch {
    return undefined;
  }
  if (typeof inner !== "string") return undefined;
  const b = Buffer.from(inner, "utf8");
  return readers.every((r) => READERS[r].verdict(b).outcome === "loads") ? inner : undefined;
}

/** The readers (by label) whose verdict on this element is `outcome`. */
export function readersWith(v: ElementVerdict, outcome: Outcome): ReaderId[] {
  return READER_IDS.filter((r) => v.verdicts[r].outcome === outcome);
}

/**
 * A session as `history show` shows it: the codec's messages, each one that
 * this key's reader does not load noted with what that reader does instead
 * (a tool message without tool_call_id reads fine but breaks LangChain JS).
 */
export function decodeSession(newestFirst: Buffer[], key: string, firstIndex = 1): DecodedMessage[] {
  const readers = readersOf(key);
  const messages = decodeHistory(newestFirst, firstIndex);
  for (const m of messages) {
    if (m.role === "unrecognized") continue;
    for (const r of readers) {
      const v = READERS[r].verdict(m.rawBytes);
      if (v.outcome === "loads") continue;
      const does = v.outcome === "breaks" ? "cannot load the session because of it" : "drops it";
      m.notes = [...(m.notes ?? []), `${READERS[r].label} ${does} (${v.why})`];
    }
  }
  return messages;
}
