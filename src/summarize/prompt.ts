// What the model is asked. Each request carries the running summary and a
// batch of new lines, and asks for the updated summary: LangChain's
// ConversationSummaryMemory approach, so a conversation of any length is
// folded in a bounded number of tokens per request.
import type { ChatLine } from "./types.js";

export const DEFAULT_INSTRUCTIONS = [
  "You maintain the memory of a chat assistant.",
  "Progressively summarize the lines of conversation provided, adding onto the previous summary and returning a new summary.",
  'Write concisely, in the third person ("The user ...", "The assistant ..."), as plain prose without headings.',
  "Keep names, facts, numbers, dates, decisions, open questions and the user's preferences; leave out greetings and small talk.",
  "The summary is stored back as the conversation's memory: reply with the summary only.",
].join("\n");

/** Tool results can be whole JSON documents; their gist fits in this many characters. */
const TOOL_OUTPUT_CHARS = 1000;

const LABELS: Record<string, string> = {
  user: "User",
  human: "User",
  assistant: "Assistant",
  ai: "Assistant",
  system: "System",
  tool: "Tool",
  function: "Tool",
};

function labelOf(role: string): string {
  const r = role.trim().toLowerCase();
  return LABELS[r] ?? (r ? r.charAt(0).toUpperCase() + r.slice(1) : "Unknown");
}

export function formatLine(line: ChatLine): string {
  return `${labelOf(line.role)}: ${line.content.trim()}`;
}

export function shortenToolOutput(line: ChatLine): ChatLine {
  const content = line.content.trim();
  if (labelOf(line.role) !== "Tool" || content.length <= TOOL_OUTPUT_CHARS) return line;
  return { role: line.role, content: `${content.slice(0, TOOL_OUTPUT_CHARS)} … (truncated)` };
}

/** The user message of one folding step. */
export function stepContent(runningSummary: string | undefined, lines: readonly ChatLine[]): string {
  return [
    "Current summary:",
    runningSummary?.trim() || "(none yet)",
    "",
    "New lines of conversation:",
    ...lines.map(formatLine),
    "",
    "New summary:",
  ].join("\n");
}
