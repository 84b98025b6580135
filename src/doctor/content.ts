// Content: what the app's reader does with each element. LangChain JS and
// Flowise drop some bad elements without a word and throw on others (then the
// bot loads no memory at all); LangChain Python raises on every element it
// cannot read. The verdicts come from the reader models in src/history/, for
// the reader of this key (message_store: → Python, else JS / Flowise).
import type { HistoryRead } from "../history/read.js";
import { contentText, decodeElement, type ElementProblem } from "../history/codec.js";
import { inFlowiseChatView, upstashDeserialize } from "../history/reader-js.js";
import {
  judgeSession,
  readersOf,
  readersWith,
  READERS,
  type ElementVerdict,
  type ReaderId,
} from "../history/readers.js";
import { summaryMark, type SummaryMark } from "../summarize/memory.js";
import { snippet } from "../text/sanitize.js";
import { listIndices, plural, shellArg, type ElementReport, type Findings } from "./checks.js";

/** A message the app loads, oldest first. */
export interface ReadableMessage {
  /** 1-based position in the whole history, oldest first. */
  index: number;
  type: string;
  text: string;
  /** Set when it is a summary stored by `summarize --store`. */
  summary?: SummaryMark;
}

const PROBLEM_HINTS: Record<ElementProblem, string> = {
  "not valid UTF-8": "binary data was pushed to this list: LangChain reads UTF-8 JSON only",
  "not JSON": "something other than LangChain/Flowise wrote plain text here (a manual LPUSH or another library)",
  "JSON in a string": "the writer encoded the message twice (JSON of a JSON string): store the object's JSON once",
  "not an object": 'each element must be a JSON object: {"type": "human", "data": {"content": "..."}}',
  "missing type": "each element needs a type: human, ai, system, tool, function, generic or chat",
  "missing data": 'LangChain keeps the message under data: {"type": "human", "data": {"content": "..."}}',
  "missing data.content": "the text must be in data.content (not data.text, and not content at the top level)",
  "unknown type":
    "LangChain JS and Flowise read the types human, ai, system, tool, function and generic; LangChain Python reads human, ai, system, tool, function and chat",
  "missing data.name": "a function message needs data.name",
  "missing data.tool_call_id": "a tool message needs data.tool_call_id (the id of the tool call it answers)",
  "missing data.role": "a generic (JS) or chat (Python) message needs data.role",
  "invalid field":
    "a field of the message has the wrong type for the reader's message classes (the error names it): rewrite the element with the field as LangChain writes it, or remove it",
};

const labels = (readers: ReaderId[]) => readers.map((r) => READERS[r].label).join(" and ");

/** `elements` of a check in --json: index, problem and every reader's verdict. */
function report(vs: ElementVerdict[]): ElementReport[] {
  return vs.map((v) => ({
    index: v.index,
    problem: v.problem ?? null,
    readers: Object.fromEntries(Object.entries(v.verdicts).map(([r, rv]) => [r, rv.outcome])),
  }));
}

function which(vs: ElementVerdict[]): string {
  return vs.length === 1 ? `message ${vs[0].index}` : `messages ${listIndices(vs.map((v) => v.index))}`;
}

export function checkContent(f: Findings, read: HistoryRead, sessionId: string): ReadableMessage[] {
  const readers = readersOf(read.key);
  const verdicts = judgeSession(read.newestFirst, read.key, read.firstIndex);
  const readable: ReadableMessage[] = [];
  for (const v of verdicts) if (v.outcome === "loads") readable.push(readableMessage(v));

  reportProblems(f, verdicts);
  // JS / Flowise drop these silently; where Python reads the key, it raises on them.
  const invisible = verdicts.filter((v) => v.outcome !== "loads" && v.verdicts["langchain-js"].outcome === "dropped");
  const breaking = verdicts.filter((v) => v.outcome === "breaks" && !invisible.includes(v));
  const repair = `upstash-memory repair ${shellArg(sessionId)}`;
  const who = labels(readers);

  if (breaking.length) {
    const first = breaking[0];
    // Other readers are named only when they fail on every one of these elements too.
    const others = readersWith(first, "breaks").filter(
      (r) => !readers.includes(r) && breaking.every((v) => v.verdicts[r].outcome === "breaks"),
    );
    f.add(
      "content",
      "breaks-load",
      "fail",
      `${which(breaking)} ${breaking.length === 1 ? "breaks" : "break"} loading in ${labels(readersWith(first, "breaks").filter((r) => readers.includes(r)))} (${breaking.length === 1 ? "" : "first: "}${first.why}): the bot loads no memory at all${others.length ? `; ${labels(others)} fails on ${breaking.length === 1 ? "it" : "them"} too` : ""}`,
      `\`${repair}\` removes ${breaking.length === 1 ? "it" : "them"}${breaking.some((v) => v.unwrapped) ? " (a message encoded twice is unwrapped instead)" : ""} and keeps every good message; \`--dry-run\` shows the change first`,
    ).elements = report(breaking);
  } else if (verdicts.length) {
    f.add("content", "breaks-load", "pass", `no element breaks loading in ${who}`);
  }

  if (invisible.length) {
    const python = readers.includes("langchain-python");
    const unwraps = invisible.some((v) => v.unwrapped) ? ", unwrapping a message encoded twice" : "";
    f.add(
      "content",
      "invisible",
      python ? "fail" : "warn",
      python
        ? `${which(invisible)} ${invisible.length === 1 ? "makes" : "make"} LangChain Python raise, so the bot loads no memory at all (LangChain JS / Flowise would drop ${invisible.length === 1 ? "it" : "them"} without a word)`
        : `${invisible.length} of ${plural(verdicts.length, "message")} ${invisible.length === 1 ? "is" : "are"} invisible to ${who}: ${which(invisible)}, dropped without a word${
            invisible.every((v) => v.verdicts["langchain-python"].outcome === "breaks")
              ? ` (LangChain Python would raise on ${invisible.length === 1 ? "it" : "them"})`
              : ""
          }`,
      python
        ? `\`${repair}\` removes ${invisible.length === 1 ? "it" : "them"}${unwraps}`
        : `\`${repair} --invisible\` removes ${invisible.length === 1 ? "it" : "them"}${unwraps}; \`--dry-run\` shows the change first`,
    ).elements = report(invisible);
  } else if (verdicts.length) {
    f.add(
      "content",
      "invisible",
      "pass",
      `${verdicts.length === 1 ? "the message loads" : `all ${plural(verdicts.length, "message")} load`} in ${who}${readers.includes("langchain-js") ? " (as LangChain messages, which Flowise's agents and chains read)" : ""}`,
    );
  }
  if (readers.includes("langchain-js") && !breaking.length) checkFlowiseChatView(f, verdicts);
  reportSummaries(f, readable);
  return readable;
}

/**
 * Flowise's other view of the same session: its chat UI and API history get
 * the loaded messages converted by convertBaseMessagetoIMessage, which keeps
 * human, ai and system only (FLOWISE_CHAT_VIEW_TYPES in reader-js.ts).
 */
function checkFlowiseChatView(f: Findings, verdicts: ElementVerdict[]): void {
  const loaded = verdicts.filter((v) => v.outcome === "loads");
  if (!loaded.length) return;
  const hidden = loaded.filter((v) => !inFlowiseChatView(v.bytes));
  if (!hidden.length) {
    f.add(
      "content",
      "flowise-chat-view",
      "pass",
      `Flowise's chat view (getChatMessages → convertBaseMessagetoIMessage) shows ${loaded.length === 1 ? "the loaded message" : `all ${loaded.length} loaded messages`}${loaded.some((v) => typeOf(v) === "system") ? "; system messages as the bot's (apiMessage)" : ""}`,
    );
    return;
  }
  const types = [...new Set(hidden.map(typeOf))].join(", ");
  f.add(
    "content",
    "flowise-chat-view",
    "warn",
    `if Flowise reads this session, its chat view leaves out ${which(hidden)} (${types}) without a word: getChatMessages converts messages for the chat UI and the API with convertBaseMessagetoIMessage, which keeps human, ai and system only; its agents and chains, which ask for LangChain messages, still read ${hidden.length === 1 ? "it" : "them"}`,
    "expected for an agent's tool results; a message people should see in Flowise's chat needs the role user, assistant or system",
  ).elements = report(hidden);
}

function typeOf(v: ElementVerdict): string {
  return String((upstashDeserialize(v.bytes).value as { type?: unknown }).type);
}

/** One line per kind of problem, with the likely cause. */
function reportProblems(f: Findings, verdicts: ElementVerdict[]): void {
  const bad = new Map<ElementProblem, ElementVerdict[]>();
  for (const v of verdicts) {
    if (v.outcome === "loads" || !v.problem) continue;
    bad.set(v.problem, [...(bad.get(v.problem) ?? []), v]);
  }
  for (const [problem, vs] of bad) {
    const example = snippet(vs[0].bytes.toString("utf8"), 40);
    const status = vs.some((v) => v.outcome === "breaks") ? "fail" : "warn";
    f.add(
      "content",
      slug(problem),
      status,
      `${which(vs)}: ${problem} (${vs.length === 1 ? "" : "first: "}'${example}')`,
      PROBLEM_HINTS[problem],
    );
  }
}

function reportSummaries(f: Findings, readable: ReadableMessage[]): void {
  const summaries = readable.filter((m) => m.summary);
  if (!summaries.length) return;
  const one = (m: ReadableMessage) => {
    const when = summaryDate(m.summary!.createdAt);
    return `of ${plural(m.summary!.covers, "earlier message")}${when ? ` (${when})` : ""}`;
  };
  const text =
    summaries.length === 1
      ? `1 summary ${one(summaries[0])}`
      : `${summaries.length} summaries: ${summaries.map(one).join(", ")}`;
  f.add(
    "content",
    "summary",
    "info",
    `${text}, stored by \`upstash-memory summarize --store\` (message ${listIndices(summaries.map((m) => m.index))})`,
  );
}

function summaryDate(iso: string): string | undefined {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? undefined : `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

function readableMessage(v: ElementVerdict): ReadableMessage {
  const decoded = decodeElement(v.bytes, v.index);
  if (decoded.role !== "unrecognized") {
    return { index: v.index, type: decoded.type, text: decoded.content, summary: summaryMark(decoded) };
  }
  // Loaded by its reader though not one of the shapes the codec shows (e.g. Python's chunk types).
  let type = "unknown";
  let text = "";
  try {
    const o = JSON.parse(v.bytes.toString("utf8")) as { type?: unknown; data?: Record<string, unknown> };
    type = String(o.type);
    text =
      o.data && o.data.content !== undefined && o.data.content !== null
        ? contentText({ type, data: o.data as { content: unknown } })
        : "";
  } catch {
    // Python-only JSON (NaN literals): nothing to show.
  }
  return { index: v.index, type, text };
}

/** "missing data.content" → "missing-data-content": a stable check id per reason. */
function slug(problem: string): string {
  return problem
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}
