// The reader models. LangChain JS's is held to the real reader in
// test/e2e/readers.test.ts. LangChain Python cannot run here (no PyPI), so its
// model is checked against what its source says, case by case (see the
// comments in src/history/reader-python.ts for the source it follows).
import { describe, expect, it } from "vitest";
import { langchainPythonVerdict, pythonJsonLoads } from "../../src/history/reader-python.js";
import { judgeSession, readersOf } from "../../src/history/readers.js";
import { HOSTILE_SHAPES, PYTHON_ELEMENTS, storedMessages } from "../harness/fixtures.js";

const b = (s: string | Buffer) => (Buffer.isBuffer(s) ? s : Buffer.from(s, "utf8"));
const py = (s: string | Buffer) => langchainPythonVerdict(b(s));

describe("LangChain Python (modelled from langchain_community and langchain_core source)", () => {
  it("loads what LangChain Python writes, and what LangChain JS and Flowise write except the generic type", () => {
    for (const e of PYTHON_ELEMENTS) expect(py(e)).toEqual({ outcome: "loads" });
    for (const { element } of storedMessages()) {
      const generic = JSON.parse(element).type === "generic";
      expect({ element, outcome: py(element).outcome }).toEqual({ element, outcome: generic ? "breaks" : "loads" });
    }
  });

  it("never drops an element silently: whatever it cannot read raises", () => {
    for (const s of HOSTILE_SHAPES) expect(py(s.element).outcome).not.toBe("dropped");
  });

  it("raises where its source raises", () => {
    const cases: [string | Buffer, RegExp][] = [
      ["plain text", /JSONDecodeError/],
      ["42", /'int' object is not subscriptable/],
      ["null", /'NoneType' object is not subscriptable/],
      [JSON.stringify('{"type":"human","data":{"content":"x"}}'), /string indices must be integers/],
      ["[1]", /list indices/],
      ['{"data":{"content":"x"}}', /KeyError: 'type'/],
      ['{"type":"generic","data":{"content":"x","role":"r"}}', /unexpected message type: generic/],
      ['{"type":"human"}', /KeyError: 'data'/],
      ['{"type":"human","data":"x"}', /must be a mapping, not str/],
      ['{"type":"human","data":{"text":"x"}}', /content: Field required/],
      ['{"type":"human","data":{"content":null}}', /content/],
      ['{"type":"human","data":{"content":[1]}}', /content/],
      ['{"type":"tool","data":{"content":"x"}}', /tool_call_id: Field required/],
      ['{"type":"chat","data":{"content":"x"}}', /role: Field required/],
      ['{"type":"human","data":{"content":"x","additional_kwargs":null}}', /additional_kwargs/],
      ['{"type":"human","data":{"content":"x","type":"ai"}}', /type: Input should be 'human'/],
      [
        '{"type":"ai","data":{"content":"x","tool_calls":[{"name":"f","args":{}}]}}',
        /missing a required keyword-only argument/,
      ],
      ['{"type":"ai","data":{"content":"x","usage_metadata":{"input_tokens":1}}}', /usage_metadata/],
      ['{"type":"remove","data":{"id":"m1","content":""}}', /does not support 'content'/],
      [Buffer.from([0x7b, 0xff, 0x7d]), /UnicodeDecodeError/],
      ["\ufeff{}", /JSONDecodeError/],
    ];
    for (const [element, why] of cases) {
      const v = py(element);
      expect({ element: String(element), outcome: v.outcome }).toEqual({ element: String(element), outcome: "breaks" });
      expect(v.why).toMatch(why);
    }
  });

  it("loads what pydantic accepts: coerced tool content and ids, NaN literals, chunk types", () => {
    for (const e of [
      '{"type":"tool","data":{"content":5,"tool_call_id":7}}',
      '{"type":"human","data":{"content":"x","score":NaN}}',
      '{"type":"AIMessageChunk","data":{"content":"x"}}',
      '{"type":"remove","data":{"id":"m1"}}',
      '{"type":"ai","data":{"content":"","tool_calls":[{"name":"f","args":{"a":1},"id":"c1","type":"tool_call"}]}}',
    ]) {
      expect({ e, v: py(e) }).toEqual({ e, v: { outcome: "loads" } });
    }
  });

  it("json.loads accepts NaN and Infinity outside strings only", () => {
    expect(pythonJsonLoads('[NaN, -Infinity, "NaN"]')).toEqual({ ok: true, value: [0, 0, "NaN"] });
    expect(pythonJsonLoads('{"a": nan}')).toEqual({ ok: false });
  });
});

describe("which reader reads a key", () => {
  it("LangChain Python under message_store:, LangChain JS / Flowise elsewhere", () => {
    expect(readersOf("message_store:abc")).toEqual(["langchain-python"]);
    expect(readersOf("abc")).toEqual(["langchain-js"]);
    expect(readersOf("chat:message_store:abc")).toEqual(["langchain-js"]);
  });

  it("judges a session oldest first, and unwraps a message encoded twice only when its reader loads the inner one", () => {
    const good = '{"type":"human","data":{"content":"inner"}}';
    const generic = '{"type":"generic","data":{"content":"inner","role":"r"}}';
    const newestFirst = [JSON.stringify(generic), JSON.stringify(good), "null"].map((s) => b(s));
    const js = judgeSession(newestFirst, "s", 5);
    expect(js.map((v) => [v.index, v.outcome, v.unwrapped])).toEqual([
      [5, "breaks", undefined],
      [6, "dropped", good],
      [7, "dropped", generic],
    ]);
    const python = judgeSession(newestFirst, "message_store:s", 1);
    // Python does not know the generic type: that one stays a removal.
    expect(python.map((v) => [v.index, v.outcome, v.unwrapped])).toEqual([
      [1, "breaks", undefined],
      [2, "breaks", good],
      [3, "breaks", undefined],
    ]);
  });
});
