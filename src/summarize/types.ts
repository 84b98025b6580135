// What both summarization engines read: the conversation as plain lines, with
// no knowledge of how or where it was stored.

export interface ChatLine {
  /** "user" | "assistant" | "system" | "tool", or whatever role the store recorded. */
  role: string;
  content: string;
}

export interface SummaryInput {
  lines: ChatLine[];
  /** An earlier stored summary covering older turns, folded into the new one. */
  previousSummary?: string;
}
