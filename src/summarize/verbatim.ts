// A conversation too short to condense ("hi", one small-talk message) gets
// its own text as its summary, in the extractive summary's layout ("User:
// ...", one line per message) and within the same word budget: a summary is
// never empty.
import { countWords, truncateWords } from "./words.js";
import type { SummaryInput } from "./types.js";

const LABELS: Record<string, string> = { user: "User", human: "User", assistant: "Assistant", ai: "Assistant" };

function label(role: string): string {
  const r = role.trim().toLowerCase();
  return LABELS[r] ?? (r ? r.charAt(0).toUpperCase() + r.slice(1) : "Message");
}

export function verbatimSummary(input: SummaryInput, maxWords: number): string {
  const lines = [
    ...(input.previousSummary?.trim() ? [`Earlier: ${input.previousSummary}`] : []),
    ...input.lines.filter((l) => l.content.trim()).map((l) => `${label(l.role)}: ${l.content}`),
  ].map((l) => l.replace(/\s+/gu, " ").trim());
  const kept: string[] = [];
  let used = 0;
  for (const line of lines) {
    const words = countWords(line);
    if (used + words > maxWords) {
      const cut = truncateWords(line, maxWords - used);
      if (cut) kept.push(cut);
      break;
    }
    kept.push(line);
    used += words;
  }
  return kept.join("\n");
}
