// The offline summarizer: picks the conversation's most important sentences,
// no model involved. Same input, same output.
//
// Output format, one line per speaker turn, in conversation order:
//
//   Earlier: <the previous summary, trimmed to fit>
//   User: <sentences picked from consecutive user messages>
//   Assistant: <sentences picked from the following assistant messages>
//
// The previous summary keeps its own line breaks, and is not relabelled when
// it already starts with a speaker label (an earlier extractive summary). Words
// are counted as in words.ts; labels count too, so the whole text fits the
// budget. System prompts and tool output are left out: they are plumbing, not
// conversation. A conversation of nothing but small talk summarizes to "".
import { splitSentences } from "./sentences.js";
import { contentTerms, cosine, centroid, tfidfVectors, type SparseVector } from "./tfidf.js";
import { textRank } from "./textrank.js";
import { isQuestion, isSmallTalk, sentenceBias, type Speaker } from "./cues.js";
import { countWords, truncateWords } from "./words.js";
import type { ChatLine, SummaryInput } from "./types.js";

export interface ExtractiveOptions {
  maxWords: number;
}

/** A sentence that may go into the summary; its index in the list is its place in the conversation. */
interface Candidate {
  label: string;
  text: string;
  terms: string[];
  bias: number;
}

/** TextRank is quadratic in sentences; longer histories are pre-filtered to this many. */
const MAX_RANKED = 400;
/** A sentence this similar to one already picked adds nothing. */
const REDUNDANT = 0.6;
/** Sentences with fewer content terms than this are discounted in proportion. */
const FULL_TERMS = 4;
const LABELLED = /^(?:Earlier|User|Assistant):/;

export function summarizeExtractive(input: SummaryInput, opts: ExtractiveOptions): string {
  const maxWords = Math.floor(opts.maxWords);
  if (!(maxWords >= 1)) return "";
  const previous = previousLines(input.previousSummary);
  const candidates = collectCandidates(input.lines);
  // The earlier summary may take up to half the budget; it gets more if the new turns leave room.
  const reserve = Math.min(countWords(previous.join("\n")), Math.floor(maxWords / 2));
  const body = formatTurns(select(candidates, maxWords - reserve));
  const head = fitLines(previous, maxWords - countWords(body));
  return [head, body].filter(Boolean).join("\n");
}

function speakerOf(role: string): { speaker: Speaker; label: string } | undefined {
  const r = role.trim().toLowerCase();
  if (["user", "human", "usermessage"].includes(r)) return { speaker: "user", label: "User" };
  if (["assistant", "ai", "apimessage", "bot", "model"].includes(r))
    return { speaker: "assistant", label: "Assistant" };
  if (["system", "developer", "tool", "function"].includes(r) || r === "") return undefined;
  return { speaker: "other", label: r.charAt(0).toUpperCase() + r.slice(1) };
}

/** Markdown is formatting, not content: code blocks go, list markers and emphasis are unwrapped. */
function plainText(content: string): string {
  return content
    .replace(/```[\s\S]*?(?:```|$)/g, "\n")
    .replace(/`([^`\n]+)`/g, "$1")
    .replace(/\[([^\]\n]+)\]\([^)\s]+\)/g, "$1")
    .replace(/(\*\*|__)(.+?)\1/g, "$2")
    .replace(/^[ \t]*(?:[-*+•]|\d{1,3}[.)]|#{1,6})[ \t]+/gm, "");
}

function collectCandidates(lines: readonly ChatLine[]): Candidate[] {
  const out: Candidate[] = [];
  let previousAskedQuestion = false;
  for (const line of lines) {
    const who = speakerOf(line.role);
    // Skipped lines (tool calls between a question and its answer) do not break the pairing.
    if (!who || !line.content) continue;
    const sentences = splitSentences(plainText(line.content));
    let position = 0;
    for (const sentence of sentences) {
      const text = sentence.replace(/\s+/gu, " ");
      if (isSmallTalk(text)) continue;
      const terms = contentTerms(text);
      if (terms.length === 0) continue;
      const bias = sentenceBias({
        speaker: who.speaker,
        text,
        positionInMessage: position++,
        answersQuestion: previousAskedQuestion,
      });
      out.push({ label: who.label, text, terms, bias });
    }
    previousAskedQuestion = who.speaker === "user" && sentences.some(isQuestion);
  }
  return out;
}

function select(candidates: Candidate[], budget: number): Candidate[] {
  if (candidates.length === 0 || budget < 2) return [];
  const vectors = tfidfVectors(candidates.map((c) => c.terms));
  const pool = rankablePool(candidates, vectors);
  const scores = textRank(
    pool.length,
    (i, j) => cosine(vectors[pool[i]!]!, vectors[pool[j]!]!),
    pool.map((i) => candidates[i]!.bias),
  );
  // Personalisation alone moves only the random-jump share (1 - damping) of the
  // rank, so the cues weigh in again here; sentences with few content words
  // say little whatever their rank.
  const ranked = pool
    .map((i, k) => ({
      i,
      score: scores[k]! * candidates[i]!.bias * Math.min(1, candidates[i]!.terms.length / FULL_TERMS),
    }))
    .sort((a, b) => b.score - a.score || a.i - b.i)
    .map((r) => r.i);

  let chosen: number[] = [];
  for (const i of ranked) {
    if (chosen.some((j) => cosine(vectors[i]!, vectors[j]!) >= REDUNDANT)) continue;
    const trial = [...chosen, i].sort((a, b) => a - b);
    if (countWords(formatTurns(trial.map((k) => candidates[k]!))) <= budget) chosen = trial;
  }
  if (chosen.length > 0) return chosen.map((k) => candidates[k]!);
  // Even the best sentence is longer than the budget: keep its beginning.
  const best = candidates[ranked[0]!]!;
  const text = truncateWords(best.text, budget - 1);
  return text ? [{ ...best, text }] : [];
}

/** Indices of the candidates TextRank will rank: all of them, or the most central ones. */
function rankablePool(candidates: Candidate[], vectors: SparseVector[]): number[] {
  const all = candidates.map((_, i) => i);
  if (candidates.length <= MAX_RANKED) return all;
  const centre = centroid(vectors);
  const score = all.map((i) => candidates[i]!.bias * cosine(vectors[i]!, centre));
  return all
    .sort((a, b) => score[b]! - score[a]! || a - b)
    .slice(0, MAX_RANKED)
    .sort((a, b) => a - b);
}

function formatTurns(chosen: readonly Candidate[]): string {
  const lines: string[] = [];
  let label = "";
  for (const c of chosen) {
    if (c.label === label) lines[lines.length - 1] += ` ${c.text}`;
    else lines.push(`${c.label}: ${c.text}`);
    label = c.label;
  }
  return lines.join("\n");
}

function previousLines(summary: string | undefined): string[] {
  const lines = (summary ?? "")
    .split(/\r?\n/)
    .map((l) => l.replace(/\s+/gu, " ").trim())
    .filter(Boolean);
  if (lines.length > 0 && !LABELLED.test(lines[0]!)) lines[0] = `Earlier: ${lines[0]}`;
  return lines;
}

/** The first lines that fit in `budget` words, the last one cut if needed. */
function fitLines(lines: readonly string[], budget: number): string {
  const kept: string[] = [];
  let used = 0;
  for (const line of lines) {
    const words = countWords(line);
    if (used + words <= budget) {
      kept.push(line);
      used += words;
      continue;
    }
    // Two words at least: a label followed by "…" says nothing.
    if (budget - used >= 2) kept.push(truncateWords(line, budget - used));
    break;
  }
  return kept.join("\n");
}
