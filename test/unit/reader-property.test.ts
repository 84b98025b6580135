// The codec (what `history show` shows), the reader model (what `doctor`
// says) and Flowise's chat view, held element by element to the real
// LangChain JS mapping on generated element shapes. The real reader is
// @langchain/core's `mapStoredMessagesToChatMessages` in two versions: the
// project's (1.4) and 1.1.20, which flowise-components 3.1.4 pins. Before it
// runs the filter that `UpstashRedisChatMessageHistory.getMessages()`
// (@langchain/community) and Flowise's `getChatMessages` apply, copied
// verbatim below. test/e2e/readers.test.ts runs the whole reader against
// Redis on fewer shapes.
import { mapStoredMessagesToChatMessages as mapCurrent, type BaseMessage } from "@langchain/core/messages";
import { mapStoredMessagesToChatMessages as mapFlowise } from "langchain-core-flowise/messages";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { messageContent } from "../../src/history/codec.js";
import { langchainJsVerdict, inFlowiseChatView } from "../../src/history/reader-js.js";
import { decodeSession } from "../../src/history/readers.js";
import { convertBaseMessagetoIMessage } from "../harness/flowise-view.js";

type Real = { outcome: "loads"; message: BaseMessage } | { outcome: "dropped" } | { outcome: "breaks"; error: string };

/** @upstash/redis's reply decoding: a non-fatal TextDecoder, then JSON.parse, keeping the string if that fails. */
function deserialize(bytes: Buffer): unknown {
  const text = new TextDecoder().decode(bytes);
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function run(bytes: Buffer, map: typeof mapCurrent): Real {
  // A fresh copy per run: the message constructors change the object they are given.
  const x = deserialize(bytes);
  // biome-ignore lint/suspicious/noExplicitAny: the reader's own untyped filter, verbatim
  const keep = (x: any) => x.type !== undefined && x.data.content !== undefined;
  try {
    if (!keep(x)) return { outcome: "dropped" };
    // biome-ignore lint/suspicious/noExplicitAny: whatever was stored goes to the mapping
    return { outcome: "loads", message: map([x as any])[0] };
  } catch (err) {
    return { outcome: "breaks", error: String(err) };
  }
}

/** What LangChain JS and Flowise 3.1.4 do: the worse of the two versions. */
function real(bytes: Buffer): { current: Real; flowise: Real; outcome: Real["outcome"] } {
  const current = run(bytes, mapCurrent);
  const flowise = run(bytes, mapFlowise as unknown as typeof mapCurrent);
  const rank = { loads: 0, dropped: 1, breaks: 2 };
  const outcome = rank[current.outcome] >= rank[flowise.outcome] ? current.outcome : flowise.outcome;
  return { current, flowise, outcome };
}

const word = fc.constantFrom("x", "", "hi");
const block = fc.oneof(
  fc.constant(null),
  word,
  fc.integer(),
  fc.record(
    {
      type: fc.constantFrom("text", "tool_call", "image_url"),
      text: word,
      id: fc.constantFrom("c1", "c2"),
      name: fc.constantFrom("f", "g"),
      args: fc.constant({}),
    },
    { requiredKeys: ["type"] },
  ),
);
const content = fc.oneof(
  word,
  fc.constant(null),
  fc.integer(),
  fc.boolean(),
  fc.array(block, { maxLength: 3 }),
  fc.constant({ text: "x" }),
);
const toolCall = fc.oneof(
  fc.constant(null),
  fc.integer(),
  fc.record({ id: fc.constantFrom("c1", "c2"), name: fc.constantFrom("f", "g"), args: fc.constant({}) }),
);
const toolCalls = fc.oneof(
  fc.constant(null),
  fc.array(toolCall, { maxLength: 2 }),
  fc.constantFrom("bad", "", 0, 5, false, true),
  fc.constant({}),
);
const metadata = fc.oneof(
  fc.constant(null),
  fc.constant({}),
  fc.constant({ output_version: "v1" }),
  fc.constant({ output_version: "v1" }),
  fc.constant({ output_version: "v0" }),
  fc.constantFrom("x", "", 5, 0, true, false),
  fc.constant([]),
);
const kwargs = fc.oneof(
  fc.constant(null),
  fc.constant({}),
  fc.constant("x"),
  fc.record({
    tool_calls: fc.oneof(
      fc.constant([]),
      fc.constant([{ id: "c1", type: "function", function: { name: "f", arguments: "{}" } }]),
      fc.constant([{}]),
      fc.constant("x"),
      fc.constant(null),
      fc.constant({ length: 1 }),
    ),
  }),
);
const data = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record(
      {
        content,
        tool_calls: toolCalls,
        response_metadata: metadata,
        additional_kwargs: kwargs,
        name: fc.oneof(word, fc.constant(null)),
        tool_call_id: fc.oneof(word, fc.constant(null)),
        role: fc.oneof(word, fc.constant(null)),
      },
      { requiredKeys: [] },
    ),
  },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) },
);
const type = fc.oneof(
  // The AIMessage constructor is where most shapes break: ai is drawn most.
  {
    weight: 8,
    arbitrary: fc.constantFrom("human", "ai", "ai", "ai", "system", "tool", "function", "generic", "chat", "robot"),
  },
  { weight: 1, arbitrary: fc.constantFrom(null, 5, "", "Human") },
);
const message = fc.oneof(
  { weight: 3, arbitrary: fc.record({ type, data }, { requiredKeys: [] }) },
  {
    // An AI message in the v1 output format, where the constructor merges content blocks and tool calls.
    weight: 1,
    arbitrary: fc.record({
      type: fc.constant("ai"),
      data: fc.record(
        {
          content: fc.array(block, { maxLength: 3 }),
          tool_calls: toolCalls,
          response_metadata: fc.constant({ output_version: "v1" }),
          additional_kwargs: kwargs,
        },
        { requiredKeys: ["content", "response_metadata"] },
      ),
    }),
  },
);
const element: fc.Arbitrary<Buffer> = fc.oneof(
  { weight: 10, arbitrary: message.map((m) => Buffer.from(JSON.stringify(m))) },
  { weight: 1, arbitrary: message.map((m) => Buffer.from(JSON.stringify(JSON.stringify(m)))) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }).map((v) => Buffer.from(JSON.stringify(v) ?? "")) },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }).map((s) => Buffer.from(s)) },
  {
    weight: 1,
    // Bytes that are not UTF-8 inside a message, or a BOM before it.
    arbitrary: fc
      .tuple(fc.uint8Array({ maxLength: 3 }), word)
      .map(([bytes, w]) =>
        Buffer.concat([Buffer.from(`{"type":"human","data":{"content":"${w}`), Buffer.from(bytes), Buffer.from('"}}')]),
      ),
  },
  { weight: 1, arbitrary: word.map((w) => Buffer.from(`\uFEFF{"type":"ai","data":{"content":"${w}"}}`)) },
);

let warn: ReturnType<typeof vi.spyOn>;
beforeAll(() => {
  // The AIMessage constructor warns about raw tool calls in additional_kwargs.
  warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
});
afterAll(() => warn.mockRestore());

const RUNS = 3000;

describe("codec and reader model against LangChain JS's mapping, element by element", () => {
  it("doctor's reader model gives the real reader's outcome", () => {
    fc.assert(
      fc.property(element, (bytes) => {
        const r = real(bytes);
        expect({ element: bytes.toString(), model: langchainJsVerdict(bytes).outcome }).toEqual({
          element: bytes.toString(),
          model: r.outcome,
        });
      }),
      { numRuns: RUNS },
    );
  });

  it("history show shows a message exactly when LangChain loads it, with its type and content", () => {
    fc.assert(
      fc.property(element, (bytes) => {
        const r = real(bytes);
        const [m] = decodeSession([bytes], "session-key");
        const readerNote = (m.notes ?? []).some((n) => n.startsWith("LangChain JS / Flowise"));
        const shown = m.role !== "unrecognized" && !readerNote;
        const seen = { element: bytes.toString(), shown };
        expect(seen).toEqual({ element: bytes.toString(), shown: r.outcome === "loads" });
        if (m.role === "unrecognized") {
          // The problem named is the one the reader model gives.
          expect({ ...seen, problem: m.problem }).toEqual({ ...seen, problem: langchainJsVerdict(bytes).problem });
        }
        if (r.current.outcome !== "loads" || !shown) return;
        const loaded = r.current.message;
        expect({ ...seen, type: m.type }).toEqual({ ...seen, type: loaded._getType() });
        // The v1 output format turns content into content blocks; the text shown is the stored one.
        const v1 = (m.data?.response_metadata as { output_version?: unknown } | null)?.output_version === "v1";
        if (m.type === "ai" && v1) return;
        expect({ ...seen, content: messageContent({ type: m.type, data: m.data as { content: unknown } }) }).toEqual({
          ...seen,
          content: loaded.content,
        });
      }),
      { numRuns: RUNS },
    );
  });

  it("Flowise's chat view keeps exactly the loaded messages doctor says it shows", () => {
    fc.assert(
      fc.property(element, (bytes) => {
        const r = real(bytes);
        if (r.flowise.outcome !== "loads") return;
        const view = convertBaseMessagetoIMessage([r.flowise.message]);
        expect({ element: bytes.toString(), shown: inFlowiseChatView(bytes) }).toEqual({
          element: bytes.toString(),
          shown: view.length === 1,
        });
      }),
      { numRuns: RUNS },
    );
  });

  it("loads {type: ai, data: {content: null}} as an assistant message with empty content, noted", () => {
    const bytes = Buffer.from('{"type":"ai","data":{"content":null}}');
    const r = real(bytes);
    expect(r.outcome).toBe("loads");
    expect(r.current.outcome === "loads" && r.current.message.content).toEqual([]);
    const [m] = decodeSession([bytes], "k");
    expect(m).toMatchObject({ role: "assistant", type: "ai", content: "" });
    expect(m.notes).toEqual(["data.content is null: LangChain JS and Flowise load it as empty content ([])"]);
    expect(convertBaseMessagetoIMessage(r.flowise.outcome === "loads" ? [r.flowise.message] : [])).toEqual([
      { message: [], type: "apiMessage" },
    ]);
  });
});
