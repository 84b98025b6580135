// Conversation cues for the extractive engine: what is small talk, and how
// much a sentence matters given who said it. A good chat summary keeps what
// the user asked for and what the assistant answered, decided or booked;
// pleasantries and "let me check" never belong in it.

export type Speaker = "user" | "assistant" | "other";

// A sentence made only of these words is small talk ("Hi!", "Ok, thanks so much!"),
// in English and in the other languages chat users most often greet in.
const FILLER_WORDS = new Set(
  (
    "hi hello hey hiya good morning afternoon evening thanks thank thx ty you so much very a lot ok okay " +
    "k sure great cool awesome perfect nice wonderful excellent fine alright right yes yeah yep yup no " +
    "nope please bye goodbye see later cheers welcome np problem got it sounds for your all that's that " +
    "is oh ah hmm um uh wow lol haha of course absolutely certainly again there dear understood noted " +
    "done merci bonjour salut oui non d'accord hola gracias hallo danke 你好 您好 谢谢 好的 再见 こんにちは ありがとう " +
    "ありがとうございます はい"
  ).split(" "),
);

// Service phrases that carry no content when the sentence is short.
const FILLER_PHRASES =
  /\b(?:let me (?:check|look|see)|one moment|just a (?:moment|sec(?:ond)?)|how (?:can|may) i (?:help|assist)|anything else|you'?re (?:very )?welcome|have a (?:great|good|nice|wonderful|lovely) (?:day|trip|evening|weekend|one)|glad (?:i|to|we) (?:could |can )?help|happy to help|no problem|sounds good|got it|take care|sorry to hear|good to (?:know|hear))\b/iu;
const SHORT_SENTENCE_WORDS = 10;

const WORD = /[\p{L}\p{N}][\p{L}\p{M}\p{N}'’]*/gu;
const DIGIT = /\p{N}/u;

export function isSmallTalk(sentence: string): boolean {
  const words = (sentence.toLowerCase().replace(/’/g, "'").match(WORD) ?? []) as string[];
  if (words.every((w) => FILLER_WORDS.has(w))) return true;
  return words.length <= SHORT_SENTENCE_WORDS && !DIGIT.test(sentence) && FILLER_PHRASES.test(sentence);
}

// The user stating what they want.
const REQUEST =
  /\b(?:i (?:need|want|would like|'d like|am looking|'m looking|have|had|got|think|lost)|can you|could you|help me|my )/iu;
// The assistant committing to something or stating a fact the user will act on.
const DECISION =
  /\b(?:will|'ll|booked|reserved|ordered|confirmed|scheduled|issued|refund(?:ed)?|cancell?ed|frozen|froze|opened|sent|emailed|fixed|resolved|recommend|suggest|should|need to|must|cost|costs|price|total|covers?|available|arrives?|departs?|due)\b/iu;
// Money, times, dates, quantities, references: the facts a summary must keep.
const FACT = /\p{N}|[$€£¥₹]/u;
const ENDS_WITH_QUESTION = /[?？]["'”’)\]]*\s*(?:\p{Extended_Pictographic}\s*)*$/u;

export interface SentenceContext {
  speaker: Speaker;
  text: string;
  /** 0 for the first sentence of its message. */
  positionInMessage: number;
  /** The previous message was a user question, so this message answers it. */
  answersQuestion: boolean;
}

/** A multiplier around 1: above for questions, requests, answers and decisions. */
export function sentenceBias(s: SentenceContext): number {
  const question = ENDS_WITH_QUESTION.test(s.text);
  let bias = 1;
  if (s.speaker === "user") {
    if (question) bias *= 2;
    if (REQUEST.test(s.text)) bias *= 1.5;
  } else if (s.speaker === "assistant") {
    // The assistant's own questions ("Is there anything else?") are rarely the point.
    if (question) bias *= 0.5;
    if (FACT.test(s.text)) bias *= 1.5;
    if (DECISION.test(s.text)) bias *= 1.5;
    if (s.answersQuestion && s.positionInMessage < 2) bias *= 1.3;
  }
  return bias;
}

export function isQuestion(text: string): boolean {
  return ENDS_WITH_QUESTION.test(text);
}
