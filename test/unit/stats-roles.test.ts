// stats counts roles inside Redis (STATS_LUA), so its rules are a second copy of
// the codec's: this holds them to the codec element by element, on every shape
// the fixtures know (real writers', LangChain Python's, malformed and hostile).
import { afterAll, describe, expect, it } from "vitest";
import { decodeElement } from "../../src/history/codec.js";
import { STATS_LUA } from "../../src/search/scripts.js";
import { HOSTILE_SHAPES, MALFORMED, PYTHON_ELEMENTS, storedMessages } from "../harness/fixtures.js";
import { appRedis, delKeys } from "../harness/transports.js";
import { uniqueId } from "../harness/stack.js";

const ROLES = ["user", "assistant", "system", "tool", "other", "unrecognized"] as const;
const app = appRedis();
afterAll(() => app.disconnect());

describe("stats' script counts each element as the codec reads it", () => {
  const elements: { name: string; element: string | Buffer }[] = [
    ...storedMessages().map((f, i) => ({ name: `${f.writer} #${i}`, element: f.element })),
    ...PYTHON_ELEMENTS.map((element, i) => ({ name: `python #${i}`, element })),
    ...MALFORMED.map((m) => ({ name: `malformed: ${m.problem}`, element: m.element })),
    ...HOSTILE_SHAPES,
  ];

  it(`agrees on all ${elements.length} fixture shapes`, async () => {
    const key = uniqueId("stats-roles");
    const disagree: string[] = [];
    try {
      for (const { name, element } of elements) {
        const bytes = typeof element === "string" ? Buffer.from(element) : element;
        await app.del(key);
        await app.rpush(key, bytes);
        const reply = (await app.eval(STATS_LUA, 1, key)) as (string | number)[];
        const script = ROLES[reply.slice(5).indexOf(1)];
        const m = decodeElement(bytes, 1);
        const codec = m.problem
          ? "unrecognized"
          : (["user", "assistant", "system", "tool"] as string[]).includes(m.role)
            ? m.role
            : "other";
        if (script !== codec) disagree.push(`${name}: script ${script}, codec ${codec}`);
      }
    } finally {
      await delKeys(app, key);
    }
    expect(disagree).toEqual([]);
  });
});
