// What a tool answers: the command's --json object as structuredContent, and a
// short text for clients that read only text. Every answer is bounded (an
// assistant's context is small and shared), sanitised as terminal output is,
// and redacted: no token or password reaches the model.
import { CliError, UsageError } from "../errors/errors.js";
import { redact } from "../errors/secrets.js";
import { clip, safeJson, sanitizeEcho, sanitizeMultiline } from "../text/sanitize.js";

/** About 50 KB in all: the structured part and the text each get a share. */
export const ANSWER_LIMIT = 50_000;
export const STRUCTURED_BUDGET = 26_000;
export const TEXT_BUDGET = 20_000;

export interface ToolAnswer {
  [key: string]: unknown;
  content: { type: "text"; text: string }[];
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
}

/** Size of a value as it travels (JSON text). */
export function jsonSize(value: unknown): number {
  return safeJson(value).length;
}

function redactDeep(value: unknown): unknown {
  if (typeof value === "string") return redact(value);
  if (Array.isArray(value)) return value.map(redactDeep);
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v)]));
  return value;
}

function clipStrings(value: unknown, max: number): unknown {
  if (typeof value === "string")
    return value.length > max ? `${clip(value, max)} [${value.length - max} more characters]` : value;
  if (Array.isArray(value)) return value.map((v) => clipStrings(v, max));
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, clipStrings(v, max)]));
  return value;
}

/**
 * Within the budget: the object as it is, or, when a few huge strings (a
 * broken element, a giant message) would blow it, those strings cut, and
 * `truncated: true` says so.
 */
export function bounded(value: Record<string, unknown>, budget = STRUCTURED_BUDGET): Record<string, unknown> {
  if (jsonSize(value) <= budget) return value;
  for (const max of [2000, 500, 100]) {
    const cut = { ...(clipStrings(value, max) as Record<string, unknown>), truncated: true };
    if (jsonSize(cut) <= budget) return cut;
  }
  throw new UsageError(
    "the answer would be too large for an assistant's context",
    "ask for fewer sessions or messages (limit, first, last)",
  );
}

/** Text for people and models: no escape or control characters, no secrets, within the budget. */
export function safeText(text: string, budget = TEXT_BUDGET): string {
  const clean = sanitizeMultiline(redact(text));
  return clean.length > budget ? `${clip(clean, budget)}\n[cut: the full answer is in the structured content]` : clean;
}

export function answer(structured: Record<string, unknown>, text: string, isError = false): ToolAnswer {
  const structuredContent = bounded(redactDeep(structured) as Record<string, unknown>);
  return {
    content: [{ type: "text", text: safeText(text) }],
    structuredContent,
    ...(isError ? { isError: true } : {}),
  };
}

/** The one-line message and hint the CLI prints for this error, as a tool error. */
export function errorAnswer(err: unknown): ToolAnswer {
  let text: string;
  if (err instanceof CliError) text = err.hint ? `${err.message}\n  ${err.hint}` : err.message;
  else text = `unexpected error: ${(err as Error)?.message ?? String(err)}`;
  return {
    content: [
      {
        type: "text",
        text: redact(
          text
            .split("\n")
            .map((l) => sanitizeEcho(l))
            .join("\n"),
        ),
      },
    ],
    isError: true,
  };
}

/** An opaque page cursor: what the next call continues from. */
export function encodeCursor(value: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

export function decodeCursor<T extends Record<string, unknown>>(
  cursor: string,
  check: (v: Record<string, unknown>) => v is T,
): T {
  try {
    const v = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as Record<string, unknown>;
    if (v && typeof v === "object" && check(v)) return v;
  } catch {
    /* reported below */
  }
  throw new UsageError(
    "the cursor is not one this tool gave",
    "pass nextCursor from the previous answer unchanged, or leave it out to start over",
  );
}
