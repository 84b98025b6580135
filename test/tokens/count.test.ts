// Token counts against the reference tokenizers, computed here with each
// library's own encoder (token arrays, whole strings): the CLI's counters
// (countTokens, SentencePiece line by line) must give the same numbers.
import { encode as encodeO200k } from "gpt-tokenizer/encoding/o200k_base";
import { encode as encodeCl100k } from "gpt-tokenizer/encoding/cl100k_base";
import llama3 from "llama3-tokenizer-js";
import mistral from "mistral-tokenizer-js";
import { describe, expect, it } from "vitest";
import { tokenizer } from "../../src/tokens/tokenizer.js";
import { chatTotal, messageTokens, windowCut, REPLY_PRIMING } from "../../src/tokens/count.js";
import { chooseModel, findModel, MODELS } from "../../src/tokens/models.js";
import { planTrim } from "../../src/tokens/trim.js";
import { decodeElement } from "../../src/history/codec.js";

const CODE = "function foo(a, b) {\n\tif (a > b) {\n\t\treturn a - b;\n\t}\n\treturn b * 2; // comment\n}\n";
const GOLDEN: Record<string, string> = {
  ascii: "Hello, world! This is a simple ASCII test sentence with numbers 12345.",
  french: "Élève à l'école, où l'été est très chaud; garçon naïve, cœur, Noël. Ça va?",
  cjk: "東京は日本の首都です。我爱自然语言处理。한국어 텍스트도 있습니다.",
  emojiZwj: "👨‍👩‍👧‍👦 family 🏳️‍🌈 flag 👍🏽 🧑‍💻 coder 👩🏾‍🚀",
  rtl: "مرحبا بالعالم، هذه جملة باللغة العربية من اليمين إلى اليسار. שלום עולם",
  codeTabs: CODE,
  specialLiteral: "text with <|endoftext|> inside",
  // 100 KB: every sample above, repeated, on lines.
  large: "",
};
{
  const unit = `${Object.values(GOLDEN).join("\n")}\n`;
  let s = "";
  while (Buffer.byteLength(s) < 100_000) s += unit;
  GOLDEN.large = s;
}
const PLAIN = { disallowedSpecial: new Set<string>() };

describe("counts equal the reference tokenizer's", () => {
  it.each(Object.keys(GOLDEN))("o200k_base and cl100k_base: %s", async (name) => {
    const text = GOLDEN[name];
    expect((await tokenizer("o200k_base"))(text)).toBe(encodeO200k(text, PLAIN).length);
    expect((await tokenizer("cl100k_base"))(text)).toBe(encodeCl100k(text, PLAIN).length);
  });

  it.each(Object.keys(GOLDEN))("llama3: %s", async (name) => {
    const text = GOLDEN[name];
    expect((await tokenizer("llama3"))(text)).toBe(llama3.encode(text, { bos: false, eos: false }).length);
  });

  it.each(Object.keys(GOLDEN).filter((n) => n !== "large"))("mistral v1: %s", async (name) => {
    const text = GOLDEN[name];
    expect((await tokenizer("mistral-v1"))(text)).toBe(mistral.encode(text, false).length);
  });

  it("mistral v1: a 100 KB message counted line by line equals the whole string's count", async () => {
    // The whole string takes the reference seconds (its merge loop grows faster than the text): 20 KB.
    const text = GOLDEN.large.slice(0, 20_000);
    expect((await tokenizer("mistral-v1"))(text)).toBe(mistral.encode(text, false).length);
  }, 120_000);

  it("the chat formula: 3 per message, 1 per name, 3 for the reply (OpenAI cookbook, its example: 124 on gpt-4o)", async () => {
    // The cookbook's example messages; the API reported 124 prompt tokens for gpt-4o and gpt-4o-mini.
    const cookbook = [
      {
        role: "system",
        content: "You are a helpful, pattern-following assistant that translates corporate jargon into plain English.",
      },
      { role: "system", name: "example_user", content: "New synergies will help drive top-line growth." },
      { role: "system", name: "example_assistant", content: "Things working well together will increase revenue." },
      {
        role: "system",
        name: "example_user",
        content: "Let's circle back when we have more bandwidth to touch base on opportunities for increased leverage.",
      },
      {
        role: "system",
        name: "example_assistant",
        content: "Let's talk later when we're less busy about how to do better.",
      },
      {
        role: "user",
        content: "This late pivot means we don't have time to boil the ocean for the client deliverable.",
      },
    ];
    const count = await tokenizer("o200k_base");
    const per = cookbook.map((m, i) =>
      messageTokens(
        count,
        decodeElement(
          Buffer.from(
            JSON.stringify({
              type: m.role === "user" ? "human" : "system",
              data: { content: m.content, ...(m.name ? { name: m.name } : {}) },
            }),
          ),
          i + 1,
        ),
      ),
    );
    expect(chatTotal(per)).toBe(124);
  });
});

describe("the model table", () => {
  it("every entry names a window, a tokenizer, a date and a source", () => {
    for (const m of MODELS) {
      expect(m.contextWindow).toBeGreaterThan(1000);
      expect(m.checked).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(m.source).toMatch(/https:\/\//);
    }
  });

  it("dated snapshots and provider prefixes find their entry; unknown models are estimates", () => {
    expect(findModel("gpt-4o-2024-08-06")?.name).toBe("gpt-4o");
    expect(findModel("gpt-4o-mini")?.name).toBe("gpt-4o-mini");
    expect(findModel("openai/gpt-4.1-nano")?.name).toBe("gpt-4.1-nano");
    expect(findModel("llama3.2")?.name).toBe("llama-3.2");
    expect(findModel("o1-mini-2024-09-12")?.contextWindow).toBe(128_000);
    expect(findModel("o1-preview")?.contextWindow).toBe(128_000);
    expect(findModel("o1-2024-12-17")?.contextWindow).toBe(200_000);
    expect(findModel("meta-llama/Llama-3.1-8B-Instruct")?.name).toBe("llama-3.1");
    expect(chooseModel("claude-3-5-sonnet").estimated).toBe(true);
    expect(chooseModel("some-new-model")).toMatchObject({
      estimated: true,
      contextWindow: null,
      tokenizer: "o200k_base",
    });
    expect(chooseModel("some-new-model", 32000).contextWindow).toBe(32000);
    expect(chooseModel("gpt-4", 9000).contextWindow).toBe(9000);
    expect(chooseModel(undefined).model).toBe("gpt-4o");
  });
});

describe("windows and trims", () => {
  it("the window cut counts from the newest back", () => {
    const t = [10, 10, 10, 10, 10];
    expect(windowCut(t, { contextWindow: null })).toMatchObject({ firstSeen: 1, cutBy: null, seenTokens: 53 });
    expect(windowCut(t, { messages: 2, contextWindow: null })).toMatchObject({ firstSeen: 4, cutBy: "messages" });
    expect(windowCut(t, { maxTokens: 33, contextWindow: 1000 })).toMatchObject({
      firstSeen: 3,
      cutBy: "max-tokens",
      seenTokens: 33,
    });
    expect(windowCut(t, { contextWindow: 12 })).toMatchObject({
      firstSeen: 6,
      cutBy: "context-window",
      seenTokens: REPLY_PRIMING,
    });
  });

  const el = (type: string, content: string, extra: Record<string, unknown> = {}) =>
    decodeElement(Buffer.from(JSON.stringify({ type, data: { content, ...extra } })), 0);
  const history = (types: string[]) => types.map((t, i) => ({ ...el(t, `m${i}`), index: i + 1 }));

  it("keeps a leading system message, counted in the budget; --no-keep-system drops it", () => {
    const msgs = history(["system", "human", "ai", "human", "ai"]);
    const tokens = [20, 10, 10, 10, 10];
    expect(planTrim(msgs, tokens, { keep: 2, keepSystem: true })).toMatchObject({
      drop: 2,
      keepLead: true,
      droppedTokens: 20,
    });
    expect(planTrim(msgs, tokens, { keep: 2, keepSystem: false })).toMatchObject({
      drop: 3,
      keepLead: false,
      droppedTokens: 40,
    });
    // 3 priming + 20 lead + 10 + 10 = 43.
    const fit = planTrim(msgs, tokens, { maxTokens: 43, keepSystem: true });
    expect(fit).toMatchObject({ drop: 2, tokensAfter: 43 });
    expect(planTrim(msgs, tokens, { maxTokens: 1000, keepSystem: true }).drop).toBe(0);
  });

  it("a summary stored by summarize is a leading message too", () => {
    const summary = {
      ...el("human", "Summary of the earlier conversation: x", {
        additional_kwargs: { upstash_memory_summary: true, summarized_messages: 4 },
      }),
      index: 1,
    };
    const msgs = [summary, ...history(["human", "ai"]).map((m) => ({ ...m, index: m.index + 1 }))];
    expect(planTrim(msgs, [5, 5, 5], { keep: 1, keepSystem: true })).toMatchObject({ drop: 1, keepLead: true });
  });
});
