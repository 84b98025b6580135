// The shape of the conversation: a chat stores a question, then its answer.
// A message stored twice in a row, two questions without an answer between
// them, and questions and answers arriving in pairs (two conversations
// writing to one key) each point at a different bug in the app. A summary
// stored by `summarize --store` takes no turn: it stands for the messages it
// replaced, whatever its role.
import type { ReadableMessage } from "./content.js";
import { listIndices, plural, type Findings } from "./checks.js";

type Side = "user" | "assistant";

interface Run {
  side: Side;
  /** Message indices, oldest first. */
  indices: number[];
}

/** Indices of messages that repeat the readable message just before them. */
export function consecutiveDuplicates(all: ReadableMessage[]): number[] {
  const messages = all.filter((m) => !m.summary);
  const dups: number[] = [];
  for (let i = 1; i < messages.length; i++) {
    const [a, b] = [messages[i - 1], messages[i]];
    if (a.type === b.type && a.text === b.text && b.text !== "") dups.push(b.index);
  }
  return dups;
}

/**
 * User/assistant runs. System and generic messages do not take a turn; an
 * assistant message that follows tool results after an assistant tool call is
 * the same turn continuing, not a second answer.
 */
export function turnRuns(messages: ReadableMessage[], skip: Set<number>): Run[] {
  const runs: Run[] = [];
  let afterTool = false;
  for (const m of messages) {
    if (skip.has(m.index) || m.summary) continue;
    if (m.type === "tool" || m.type === "function") {
      afterTool = true;
      continue;
    }
    const side: Side | undefined = m.type === "human" ? "user" : m.type === "ai" ? "assistant" : undefined;
    if (!side) continue;
    const last = runs[runs.length - 1];
    const continuesToolTurn = side === "assistant" && afterTool && last?.side === "assistant";
    afterTool = false;
    if (continuesToolTurn) continue;
    if (last?.side === side) last.indices.push(m.index);
    else runs.push({ side, indices: [m.index] });
  }
  return runs;
}

export function checkTurns(f: Findings, messages: ReadableMessage[]): void {
  const dups = consecutiveDuplicates(messages);
  if (dups.length) {
    const which = dups.length === 1 ? `message ${dups[0]} repeats` : `messages ${listIndices(dups)} repeat`;
    f.add(
      "content",
      "duplicates",
      "warn",
      `${which} the message before ${dups.length === 1 ? "it" : "them"} word for word`,
      "the app stores some messages twice: e.g. it saves to the memory itself while the chain saves too, or a retried request is stored again",
    );
  } else if (messages.length > 1) {
    f.add("content", "duplicates", "pass", "no message repeats the one before it");
  }

  const runs = turnRuns(messages, new Set(dups));
  const interleaved: string[] = [];
  const broken: string[] = [];
  for (let i = 0; i < runs.length; i++) {
    const run = runs[i];
    const next = runs[i + 1];
    if (run.side === "user" && run.indices.length >= 2 && next && next.indices.length >= 2) {
      interleaved.push(`${run.indices[0]}–${next.indices[next.indices.length - 1]}`);
      i++;
    } else if (run.indices.length >= 2) {
      broken.push(`${run.indices[0]}–${run.indices[run.indices.length - 1]} (${run.side})`);
    }
  }
  if (interleaved.length) {
    f.add(
      "content",
      "interleaved",
      "warn",
      `messages ${listIndices(interleaved, 5)}: questions, then as many answers: two conversations seem to write to one key`,
      "several chats share this session id (a constant id in code; in Flowise, a node Session Id, which every UI chat uses and API calls use when they send neither sessionId nor chatId): give each conversation its own id",
    );
  }
  if (broken.length) {
    f.add(
      "content",
      "alternation",
      "warn",
      `${plural(broken.length, "place")} where messages of one side follow each other: ${broken.slice(0, 5).join(", ")}${broken.length > 5 ? ", …" : ""}`,
      "a failed model call stored the question without an answer, or something stores only one side of the conversation",
    );
  }
  if (!interleaved.length && !broken.length && runs.length > 1) {
    f.add("content", "alternation", "pass", "user and assistant messages alternate");
  }
}
