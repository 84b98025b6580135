// What doctor says a reader does must be what the reader does. For every
// hostile shape and every fixture, LangChain's real UpstashRedisChatMessageHistory
// (the class Flowise's Upstash node builds its memory on, reading the same
// way) loads a session through the local endpoint; the test records whether it
// throws or how many messages it returns, and compares that with doctor --json.
// LangChain Python cannot run here (no PyPI): its verdicts come from a model
// of its source, checked in test/unit/readers.test.ts.
import { randomUUID } from "node:crypto";
import { UpstashRedisChatMessageHistory } from "@langchain/community/stores/message/upstash_redis";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Redis as IORedis } from "ioredis";
import { appRedis, cliOn, writeConversation } from "../harness/transports.js";
import { HOSTILE_SHAPES, MALFORMED, PYTHON_ELEMENTS, storedMessages } from "../harness/fixtures.js";
import { aiElement, humanElement } from "../harness/fixtures.js";
import { stack } from "../harness/stack.js";
import { langchainJsVerdict } from "../../src/history/reader-js.js";

interface Check {
  id: string;
  status: string;
  message: string;
  elements?: { index: number; problem: string | null; readers: Record<string, string> }[];
}

type Observed = { throws: true } | { throws: false; count: number };

let app: IORedis;
beforeAll(() => {
  app = appRedis();
});
afterAll(() => app.quit());

const human = humanElement;
const ai = aiElement;

function history(sessionId: string): UpstashRedisChatMessageHistory {
  const { restUrl, restToken } = stack();
  return new UpstashRedisChatMessageHistory({ sessionId, config: { url: restUrl, token: restToken } });
}

/** The real reader, run on the session. */
async function observe(sessionId: string): Promise<Observed> {
  try {
    return { throws: false, count: (await history(sessionId).getMessages()).length };
  } catch {
    return { throws: true };
  }
}

/** What doctor --json predicts for a session of `total` elements. */
function predicted(checks: Check[], total: number): Observed {
  const breaks = checks.find((c) => c.id === "content.breaks-load" && c.status === "fail");
  if (breaks?.elements?.some((e) => e.readers["langchain-js"] === "breaks")) return { throws: true };
  const invisible = checks.find((c) => c.id === "content.invisible" && c.status !== "pass");
  return {
    throws: false,
    count: total - (invisible?.elements?.filter((e) => e.readers["langchain-js"] === "dropped").length ?? 0),
  };
}

const cli = cliOn("rest");

async function compare(
  name: string,
  element: string | Buffer,
): Promise<{ name: string; observed: Observed; doctor: Observed }> {
  const id = `t-readers-${randomUUID().slice(0, 8)}`;
  await writeConversation(app, id, [human("before"), element, ai("after")]);
  const observed = await observe(id);
  const r = await cli(["doctor", id, "--json"]);
  const checks = (JSON.parse(r.stdout) as { checks: Check[] }).checks;
  await app.del(id);
  return { name, observed, doctor: predicted(checks, 3) };
}

/** A few at a time: each comparison spawns the CLI. */
async function compareAll(shapes: { name: string; element: string | Buffer }[]) {
  const results = [];
  for (let i = 0; i < shapes.length; i += 4)
    results.push(...(await Promise.all(shapes.slice(i, i + 4).map((s) => compare(s.name, s.element)))));
  return results;
}

describe("doctor --json agrees with LangChain JS's real reader", () => {
  it("on every hostile shape", async () => {
    const results = await compareAll([
      ...HOSTILE_SHAPES,
      ...MALFORMED.map((m) => ({ name: `malformed: ${m.problem}`, element: m.element })),
    ]);
    for (const r of results) expect({ shape: r.name, doctor: r.doctor }).toEqual({ shape: r.name, doctor: r.observed });
    // The shapes cover all three outcomes.
    expect(results.some((r) => r.observed.throws)).toBe(true);
    expect(results.some((r) => !r.observed.throws && r.observed.count === 2)).toBe(true);
    expect(results.some((r) => !r.observed.throws && r.observed.count === 3)).toBe(true);
  });

  it("on every fixture LangChain JS, Flowise and LangChain Python write", async () => {
    const fixtures = [
      ...storedMessages().map((f, i) => ({ name: `${f.writer} #${i + 1}`, element: f.element })),
      ...PYTHON_ELEMENTS.map((e, i) => ({ name: `python #${i + 1}`, element: e })),
    ];
    const results = await compareAll(fixtures);
    for (const r of results) expect({ shape: r.name, doctor: r.doctor }).toEqual({ shape: r.name, doctor: r.observed });
  });

  it("the reader model holds for arbitrary elements (property, real reader)", async () => {
    const id = `t-readers-prop-${randomUUID().slice(0, 8)}`;
    const anyData = fc.oneof(
      fc.constant(undefined),
      fc.jsonValue(),
      fc.record(
        {
          content: fc.oneof(fc.string(), fc.jsonValue(), fc.constant(undefined)),
          role: fc.option(fc.string(), { nil: undefined }),
          name: fc.option(fc.string(), { nil: undefined }),
          tool_call_id: fc.option(fc.string(), { nil: undefined }),
        },
        { requiredKeys: [] },
      ),
    );
    const element = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
      fc
        .record(
          {
            type: fc.oneof(
              fc.constantFrom("human", "ai", "system", "tool", "function", "generic", "chat", "robot"),
              fc.jsonValue({ maxDepth: 1 }),
            ),
            data: anyData,
          },
          { requiredKeys: [] },
        )
        .map((v) => JSON.stringify(v)),
      fc.uint8Array({ maxLength: 30 }).map((a) => Buffer.from(a)),
    );
    await fc.assert(
      fc.asyncProperty(element, async (e) => {
        await app.del(id);
        await writeConversation(app, id, [human("before"), e, ai("after")]);
        const observed = await observe(id);
        const v = langchainJsVerdict(Buffer.isBuffer(e) ? e : Buffer.from(e, "utf8"));
        const model: Observed =
          v.outcome === "breaks" ? { throws: true } : { throws: false, count: v.outcome === "dropped" ? 2 : 3 };
        expect(model).toEqual(observed);
      }),
      { numRuns: 150 },
    );
    await app.del(id);
  });
});
