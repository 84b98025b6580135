// Content: which elements LangChain and Flowise can read. Their JS readers
// silently drop an element that is not a StoredMessage, and LangChain Python's
// reader fails on the first one, so one bad element can make a conversation
// look shorter, or empty, to the bot while Redis still holds it all.
import type { HistoryRead } from "../history/read.js";
import { contentText, parseElement, type ElementProblem } from "../history/codec.js";
import { snippet } from "../render/sanitize.js";
import { listIndices, plural, shellArg, type Findings } from "./checks.js";

/** A message the app can read, oldest first. */
export interface ReadableMessage {
  /** 1-based position in the whole history, oldest first. */
  index: number;
  type: string;
  text: string;
}

const PROBLEM_HINTS: Record<ElementProblem, string> = {
  "not valid UTF-8": "binary data was pushed to this list: LangChain reads UTF-8 JSON only",
  "not JSON": "something other than LangChain/Flowise wrote plain text here (a manual LPUSH or another library)",
  "JSON in a string": "the writer encoded the message twice (JSON of a JSON string): store the object's JSON once",
  "not an object": 'each element must be a JSON object: {"type": "human", "data": {"content": "..."}}',
  "missing type": "each element needs a type: human, ai, system, tool, function, generic or chat",
  "missing data": 'LangChain keeps the message under data: {"type": "human", "data": {"content": "..."}}',
  "missing data.content": "the text must be in data.content (not data.text, and not content at the top level)",
  "unknown type": "LangChain reads the types human, ai, system, tool, function, generic and chat only",
};

export function checkContent(f: Findings, read: HistoryRead, sessionId: string): ReadableMessage[] {
  const readable: ReadableMessage[] = [];
  const bad = new Map<ElementProblem, { indices: number[]; first: Buffer }>();
  const total = read.newestFirst.length;
  for (let i = total - 1, index = read.firstIndex; i >= 0; i--, index++) {
    const element = read.newestFirst[i];
    const parsed = parseElement(element);
    if (parsed.ok) {
      readable.push({ index, type: parsed.message.type, text: contentText(parsed.message) });
      continue;
    }
    const group = bad.get(parsed.problem) ?? { indices: [], first: element };
    group.indices.push(index);
    bad.set(parsed.problem, group);
  }
  for (const [problem, { indices, first }] of bad) {
    const which = indices.length === 1 ? `message ${indices[0]}` : `messages ${listIndices(indices)}`;
    const example = snippet(first.toString("utf8"), 40);
    f.add("content", slug(problem), "fail", `${which}: ${problem} (${indices.length === 1 ? "" : "first: "}'${example}')`, PROBLEM_HINTS[problem]);
  }
  const invisible = total - readable.length;
  if (invisible) {
    f.add(
      "content",
      "invisible",
      "fail",
      `${invisible} of ${plural(total, "message")} ${invisible === 1 ? "is" : "are"} invisible to LangChain/Flowise`,
      `their JS readers drop such elements silently and LangChain Python's reader fails on the first: \`upstash-memory export ${shellArg(sessionId)}\`, fix or drop them, then \`import --replace\``,
    );
  } else if (total) {
    f.add("content", "invisible", "pass", `${total === 1 ? "the message is" : `all ${plural(total, "message")} are`} readable by LangChain/Flowise`);
  }
  return readable;
}

/** "missing data.content" → "missing-data-content": a stable check id per reason. */
function slug(problem: string): string {
  return problem.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
}
