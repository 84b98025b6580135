// The realistic conversations in test/fixtures/conversations, each with a
// reference summary written by hand, and the lead-N baseline the extractive
// engine has to beat.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { splitSentences } from "../../src/summarize/sentences.js";
import { countWords } from "../../src/summarize/words.js";
import type { ChatLine } from "../../src/summarize/types.js";

export interface ConversationFixture {
  file: string;
  title: string;
  reference: string;
  messages: ChatLine[];
}

const DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../fixtures/conversations");

export function loadConversations(): ConversationFixture[] {
  return fs
    .readdirSync(DIR)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((file) => ({
      file,
      ...(JSON.parse(fs.readFileSync(path.join(DIR, file), "utf8")) as Omit<ConversationFixture, "file">),
    }));
}

const LABELS: Record<string, string> = { user: "User", assistant: "Assistant" };

/**
 * Lead-N: the conversation's first sentences, in the engine's output format
 * (one "User:"/"Assistant:" line per message), until the next one would not fit.
 * System and tool messages are skipped, as the engine skips them.
 */
export function leadBaseline(messages: ChatLine[], maxWords: number): string {
  const lines: string[] = [];
  let used = 0;
  for (const m of messages) {
    const label = LABELS[m.role];
    if (!label) continue;
    let line = `${label}:`;
    let lineWords = 1;
    for (const sentence of splitSentences(m.content)) {
      const words = countWords(sentence);
      if (used + lineWords + words > maxWords) {
        if (lineWords > 1) lines.push(line);
        return lines.join("\n");
      }
      line += ` ${sentence}`;
      lineWords += words;
    }
    if (lineWords > 1) {
      lines.push(line);
      used += lineWords;
    }
  }
  return lines.join("\n");
}
