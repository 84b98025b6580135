import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { estimateTokens, summarizeWithLlm, type LlmOptions } from "../../src/summarize/llm.js";
import { DEFAULT_INSTRUCTIONS } from "../../src/summarize/prompt.js";
import type { ChatLine } from "../../src/summarize/types.js";
import { startFakeOpenAI, type FakeOpenAI } from "../harness/fake-openai.js";

let api: FakeOpenAI;
beforeEach(async () => {
  api = await startFakeOpenAI();
});
afterEach(async () => {
  await api.close();
});

const lines: ChatLine[] = [
  { role: "user", content: "I need a table for four on Friday at 8pm." },
  { role: "assistant", content: "Booked: Friday 20:00, table for four, reference T-19." },
];

function options(extra: Partial<LlmOptions> = {}): LlmOptions {
  return { baseUrl: api.baseUrl, model: "test-model", maxInputTokens: 6000, timeoutMs: 5000, ...extra };
}

describe("llm engine: request shape", () => {
  it("posts one chat completion with the model, temperature 0, instructions and the conversation", async () => {
    api.queue({ kind: "json", content: "The user booked a table for four on Friday at 20:00 (T-19)." });
    const result = await summarizeWithLlm({ lines }, options());

    expect(result).toEqual({ summary: "The user booked a table for four on Friday at 20:00 (T-19).", requests: 1 });
    expect(api.requests).toHaveLength(1);
    const [req] = api.requests;
    expect(req!.method).toBe("POST");
    expect(req!.path).toBe("/v1/chat/completions");
    expect(req!.headers["content-type"]).toBe("application/json");
    expect(req!.body.model).toBe("test-model");
    expect(req!.body.temperature).toBe(0);
    expect(req!.body.stream).toBe(false);
    const messages = req!.body.messages!;
    expect(messages.map((m) => m.role)).toEqual(["system", "user"]);
    expect(messages[0]!.content).toBe(DEFAULT_INSTRUCTIONS);
    expect(messages[1]!.content).toContain("User: I need a table for four on Friday at 8pm.");
    expect(messages[1]!.content).toContain("Assistant: Booked: Friday 20:00, table for four, reference T-19.");
  });

  it("sends no Authorization header without a key, and a Bearer token with one", async () => {
    await summarizeWithLlm({ lines }, options());
    expect(api.requests[0]!.headers.authorization).toBeUndefined();

    await summarizeWithLlm({ lines }, options({ apiKey: "sk-test-0123456789abcdef" }));
    expect(api.requests[1]!.headers.authorization).toBe("Bearer sk-test-0123456789abcdef");
  });

  it("accepts a base URL with a trailing slash", async () => {
    await summarizeWithLlm({ lines }, options({ baseUrl: `${api.baseUrl}/` }));
    expect(api.requests[0]!.path).toBe("/v1/chat/completions");
  });

  it("replaces the default instructions with a custom prompt", async () => {
    await summarizeWithLlm({ lines }, options({ prompt: "Summarize in French, in two sentences." }));
    expect(api.requests[0]!.body.messages![0]!.content).toBe("Summarize in French, in two sentences.");
  });

  it("folds in the previous summary as the current summary", async () => {
    await summarizeWithLlm({ lines, previousSummary: "The user is vegetarian." }, options());
    const content = api.requests[0]!.body.messages![1]!.content;
    expect(content).toMatch(/^Current summary:\nThe user is vegetarian\.\n/);
    expect(content).toContain("New lines of conversation:");
    expect(content.trimEnd().endsWith("New summary:")).toBe(true);
  });

  it("says there is no summary yet when there is none", async () => {
    await summarizeWithLlm({ lines }, options());
    expect(api.requests[0]!.body.messages![1]!.content).toMatch(/^Current summary:\n\(none yet\)\n/);
  });

  it("returns the previous summary without any request when there are no new lines", async () => {
    const result = await summarizeWithLlm({ lines: [], previousSummary: "Old summary." }, options());
    expect(result).toEqual({ summary: "Old summary.", requests: 0 });
    expect(api.requests).toHaveLength(0);
  });

  it("cuts long tool output down before sending it", async () => {
    const toolOutput = JSON.stringify({ rows: Array.from({ length: 500 }, (_, i) => ({ id: i })) });
    await summarizeWithLlm({ lines: [...lines, { role: "tool", content: toolOutput }] }, options());
    const content = api.requests[0]!.body.messages![1]!.content;
    expect(content).toContain("Tool: {");
    expect(content).toContain("… (truncated)");
    expect(content.length).toBeLessThan(toolOutput.length);
  });

  it("drops a reasoning model's <think> block from the summary", async () => {
    api.queue({ kind: "json", content: "<think>The user wants a table, so...</think>\n\nThe user booked a table." });
    const { summary } = await summarizeWithLlm({ lines }, options());
    expect(summary).toBe("The user booked a table.");
  });
});

describe("llm engine: streaming", () => {
  it("passes deltas on in order and assembles the summary from them", async () => {
    api.queue({ kind: "stream", deltas: ["The user ", "booked a table ", "for Friday."], gapMs: 5 });
    const seen: string[] = [];
    const result = await summarizeWithLlm({ lines }, options({ stream: true, onDelta: (t) => seen.push(t) }));

    expect(api.requests[0]!.body.stream).toBe(true);
    expect(api.requests[0]!.headers.accept).toBe("text/event-stream");
    expect(seen).toEqual(["The user ", "booked a table ", "for Friday."]);
    expect(result).toEqual({ summary: "The user booked a table for Friday.", requests: 1 });
  });

  it("streams whenever onDelta is given, unless stream is false", async () => {
    api.queue({ kind: "json", content: "Summary." });
    await summarizeWithLlm({ lines }, options({ onDelta: () => {} }));
    await summarizeWithLlm({ lines }, options({ onDelta: () => {}, stream: false }));
    expect(api.requests.map((r) => r.body.stream)).toEqual([true, false]);
  });

  it("ignores comments and unknown events, and keeps text from a stream that ends without [DONE]", async () => {
    api.queue({
      kind: "stream",
      deltas: ["Part one. ", "Part two."],
      done: false,
      events: ["event: ping\n", 'data: {"choices":[{"delta":{"role":"assistant"}}]}\n\n'],
    });
    const seen: string[] = [];
    const { summary } = await summarizeWithLlm({ lines }, options({ onDelta: (t) => seen.push(t) }));
    expect(seen).toEqual(["Part one. ", "Part two."]);
    expect(summary).toBe("Part one. Part two.");
  });

  it("hands a whole JSON answer to onDelta when the server does not stream", async () => {
    api.queue({ kind: "json", content: "All at once." });
    const seen: string[] = [];
    const { summary } = await summarizeWithLlm({ lines }, options({ onDelta: (t) => seen.push(t) }));
    expect(seen).toEqual(["All at once."]);
    expect(summary).toBe("All at once.");
  });

  it("never streams a <think> block", async () => {
    api.queue({ kind: "stream", deltas: ["<th", "ink>hmm, a table", "</think>", "\n\nThe user ", "booked."] });
    const seen: string[] = [];
    const { summary } = await summarizeWithLlm({ lines }, options({ onDelta: (t) => seen.push(t) }));
    expect(seen.join("")).toBe("The user booked.");
    expect(summary).toBe("The user booked.");
  });
});

describe("llm engine: progressive summarization", () => {
  // 40 messages of ~300 characters: ~3,000 tokens, far over a 600-token budget.
  const long: ChatLine[] = Array.from({ length: 40 }, (_, i) => ({
    role: i % 2 === 0 ? "user" : "assistant",
    content: `Message ${i}: ${"we discussed the itinerary, the hotel and the budget in some detail. ".repeat(4)}`,
  }));
  const budget = 600;

  it("folds chunk by chunk, each request carrying the previous step's summary", async () => {
    api.script((_req, i) => ({ kind: "json", content: `summary after step ${i}` }));
    const result = await summarizeWithLlm({ lines: long }, options({ maxInputTokens: budget }));

    const n = api.requests.length;
    expect(n).toBeGreaterThan(3);
    expect(result).toEqual({ summary: `summary after step ${n - 1}`, requests: n });
    const contents = api.requests.map((r) => r.body.messages![1]!.content);
    expect(contents[0]).toContain("Current summary:\n(none yet)\n");
    for (let i = 1; i < n; i++) expect(contents[i]).toContain(`Current summary:\nsummary after step ${i - 1}\n`);
  });

  it("keeps every request within the token budget and sends every line once, in order", async () => {
    api.script((_req, i) => ({ kind: "json", content: `summary after step ${i}` }));
    await summarizeWithLlm({ lines: long }, options({ maxInputTokens: budget }));

    for (const r of api.requests) {
      const tokens = r.body.messages!.reduce((sum, m) => sum + estimateTokens(m.content), 0);
      expect(tokens).toBeLessThanOrEqual(budget);
    }
    const sent = api.requests.flatMap((r) =>
      [...r.body.messages![1]!.content.matchAll(/Message (\d+):/g)].map((m) => Number(m[1])),
    );
    expect(sent).toEqual(long.map((_, i) => i));
  });

  it("streams only the final step", async () => {
    api.script((req, i) =>
      req.body.stream ? { kind: "stream", deltas: ["final ", "summary"] } : { kind: "json", content: `step ${i}` },
    );
    const seen: string[] = [];
    const result = await summarizeWithLlm(
      { lines: long },
      options({ maxInputTokens: budget, onDelta: (t) => seen.push(t) }),
    );

    const streamed = api.requests.map((r) => r.body.stream);
    expect(streamed.at(-1)).toBe(true);
    expect(streamed.slice(0, -1).every((s) => s === false)).toBe(true);
    expect(seen).toEqual(["final ", "summary"]);
    expect(result.summary).toBe("final summary");
  });

  it("splits a single message larger than the budget across steps", async () => {
    const huge = `${"word ".repeat(3000)}END`;
    api.script((_req, i) => ({ kind: "json", content: `step ${i}` }));
    await summarizeWithLlm({ lines: [{ role: "user", content: huge }] }, options({ maxInputTokens: budget }));

    expect(api.requests.length).toBeGreaterThan(1);
    const sentWords = api.requests.map((r) => (r.body.messages![1]!.content.match(/\bword\b/g) ?? []).length);
    expect(sentWords.reduce((a, b) => a + b, 0)).toBe(3000);
    expect(api.requests.at(-1)!.body.messages![1]!.content).toContain("END");
  });
});
