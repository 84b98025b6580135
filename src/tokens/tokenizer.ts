// Tokenizers, loaded on first use only: each holds megabytes of rank data that
// no other command should parse at start-up. Each `await import()` of a
// package becomes its own vendor file in the bundle (scripts/bundle.mjs).
import type { TokenizerId } from "./models.js";

/** Tokens in a text, as the model's tokenizer splits it (no BOS/EOS, special-token text counted as text). */
export type CountFn = (text: string) => number;

const loaded = new Map<TokenizerId, Promise<CountFn>>();

/** Special tokens written in a message (`<|endoftext|>`) are text the model reads as text: never an error. */
const PLAIN = { disallowedSpecial: new Set<string>() };

type SentencePiece = (text: string, leadingSpace: boolean) => number;

/**
 * SentencePiece's encoder slows down on long inputs (worse than linearly):
 * counted line by line, the leading space only before the first line, which is
 * where the whole text's encoding puts it (a newline is a byte token of its own).
 */
function byLines(count: SentencePiece): CountFn {
  return (text) => {
    if (text.length < 4096) return count(text, true);
    let n = 0;
    text.split(/(?<=\n)/).forEach((part, i) => {
      n += count(part, i === 0);
    });
    return n;
  };
}

async function load(id: TokenizerId): Promise<CountFn> {
  switch (id) {
    case "o200k_base": {
      const { countTokens } = await import("gpt-tokenizer/encoding/o200k_base");
      return (text) => countTokens(text, PLAIN);
    }
    case "cl100k_base": {
      const { countTokens } = await import("gpt-tokenizer/encoding/cl100k_base");
      return (text) => countTokens(text, PLAIN);
    }
    case "llama3": {
      const { default: llama3 } = await import("llama3-tokenizer-js");
      return (text) => llama3.encode(text, { bos: false, eos: false }).length;
    }
    case "mistral-v1": {
      const { default: mistral } = await import("mistral-tokenizer-js");
      // No BOS token; the leading space SentencePiece adds is kept, as the model sees a message.
      return byLines((text, space) => (text === "" ? 0 : mistral.encode(text, false, space).length));
    }
  }
}

export function tokenizer(id: TokenizerId): Promise<CountFn> {
  let p = loaded.get(id);
  if (!p) {
    p = load(id);
    loaded.set(id, p);
  }
  return p;
}
