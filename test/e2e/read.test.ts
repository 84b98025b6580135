// sessions list and history show, end to end on both transports, with data as
// LangChain (JS and Python) and Flowise write it, and with malformed elements.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Redis as IORedis } from "ioredis";
import {
  appOn,
  appRedis,
  cliOn,
  dbsizeOf,
  delKeys,
  lpushMany,
  TRANSPORTS,
  writeConversation,
} from "../harness/transports.js";
import { MALFORMED, PYTHON_ELEMENTS, storedMessages } from "../harness/fixtures.js";
import { stack } from "../harness/stack.js";
import { runCli } from "../harness/cli.js";

let app: IORedis;
beforeAll(() => {
  app = appRedis();
});
afterAll(() => app.quit());

const ns = () => `t${randomUUID().slice(0, 8)}:`;

describe.each(TRANSPORTS)("reading over %s", (transport) => {
  const cli = cliOn(transport);
  const app = appOn(transport);

  it("shows a LangChain/Flowise conversation oldest first, every shape decoded, raw kept", async () => {
    const prefix = ns();
    const elements = storedMessages().map((f) => f.element);
    await writeConversation(app, `${prefix}trip`, elements, 3600);
    const r = await cli(["history", "show", "trip", "--prefix", prefix, "--json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const v = JSON.parse(r.stdout);
    expect(v).toMatchObject({ sessionId: "trip", key: `${prefix}trip`, count: elements.length });
    expect(v.ttlSeconds).toBeGreaterThan(3500);
    expect(v.messages.map((m: { raw: string }) => m.raw)).toEqual(elements);
    expect(v.messages.map((m: { index: number }) => m.index)).toEqual(elements.map((_, i) => i + 1));
    expect(v.messages.map((m: { role: string }) => m.role)).toEqual([
      "system",
      "user",
      "assistant",
      "user",
      "assistant",
      "tool",
      "critic",
      "tool",
      "assistant",
      "user",
      "assistant",
    ]);
    expect(v.messages[3].content).toBe("What is in this picture? [image]");
    expect(v.messages[4].content).toContain("[tool call get_weather");
    expect(v.messages[1].content).toBe("Hi! Où est la gare? 🚉");
  });

  it("reads LangChain Python sessions under the message_store: prefix", async () => {
    const id = `py-${randomUUID().slice(0, 6)}`;
    await writeConversation(app, `message_store:${id}`, PYTHON_ELEMENTS, 600);
    const r = await cli(["history", "show", id, "--prefix", "message_store:", "--format", "text"]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split("\n")).toEqual([
      "[1] user: hi from python",
      "[2] assistant: hello, python user",
      "[3] moderator: from a chat role",
    ]);
    await app.del(`message_store:${id}`);
  });

  it("shows malformed elements as unrecognized, with a warning each, never dropped", async () => {
    const prefix = ns();
    const good = storedMessages()[1].element;
    await writeConversation(app, `${prefix}bad`, [good, ...MALFORMED.map((m) => m.element)]);
    const r = await cli(["history", "show", "bad", "--prefix", prefix, "--json"]);
    expect(r.code).toBe(0);
    const v = JSON.parse(r.stdout);
    expect(v.count).toBe(1 + MALFORMED.length);
    expect(v.messages.slice(1).map((m: { role: string }) => m.role)).toEqual(MALFORMED.map(() => "unrecognized"));
    expect(v.messages.slice(1).map((m: { problem: string }) => m.problem)).toEqual(MALFORMED.map((m) => m.problem));
    expect(v.messages.slice(1).map((m: { raw: string }) => m.raw)).toEqual(MALFORMED.map((m) => m.element));
    const warnings = r.stderr.trim().split("\n");
    expect(warnings).toHaveLength(MALFORMED.length + 1);
    expect(r.stderr).toContain("warning: message 2 is not a chat message (not JSON)");
    // Then once where to go next: doctor knows which readers such elements break, repair mends them.
    expect(warnings.at(-1)).toBe(
      "  `upstash-memory doctor bad` says whether the app still loads this memory, and how `upstash-memory repair` mends it",
    );
  });

  it("prints plain tab-separated lines when piped, with escapes neutralised", async () => {
    const prefix = ns();
    const evil = JSON.stringify({ type: "human", data: { content: "red \u001b[31malert\u001b[0m\tand\nnewline" } });
    await writeConversation(app, `${prefix}pipe`, [evil, storedMessages()[2].element]);
    const r = await cli(["history", "show", "pipe", "--prefix", prefix]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/\u001b/);
    expect(r.stdout).not.toMatch(/[│┌]/);
    expect(r.stdout.split("\n")[0]).toBe("1\tuser\tred ␛[31malert␛[0m\\tand\\nnewline");
    expect(r.stdout.split("\n")[1]).toBe("2\tassistant\tTout droit — 200 m.");
  });

  it("--format markdown and text are readable documents", async () => {
    const prefix = ns();
    await writeConversation(
      app,
      `${prefix}doc`,
      storedMessages()
        .slice(0, 3)
        .map((f) => f.element),
      7200,
    );
    const md = await cli(["history", "show", "doc", "--prefix", prefix, "--format", "markdown"]);
    expect(md.code).toBe(0);
    expect(md.stdout).toMatch(/^# Session doc\n\n_3 messages · TTL (2h|1h 59m)_\n/);
    expect(md.stdout).toContain("**user** (2)\n\nHi! Où est la gare? 🚉\n");
    const text = await cli(["history", "show", "doc", "--prefix", prefix, "--format", "text"]);
    expect(text.stdout.trim().split("\n")).toEqual([
      "[1] system: You are a helpful travel assistant.",
      "[2] user: Hi! Où est la gare? 🚉",
      "[3] assistant: Tout droit — 200 m.",
    ]);
  });

  it("--last and --first read only those messages, numbered in the whole history", async () => {
    const prefix = ns();
    const els = Array.from({ length: 10 }, (_, i) =>
      JSON.stringify({ type: i % 2 ? "ai" : "human", data: { content: `m${i + 1}` } }),
    );
    await writeConversation(app, `${prefix}win`, els);
    const last = JSON.parse(
      (await cli(["history", "show", "win", "--prefix", prefix, "--last", "3", "--json"])).stdout,
    );
    expect(last.messages.map((m: { index: number; content: string }) => [m.index, m.content])).toEqual([
      [8, "m8"],
      [9, "m9"],
      [10, "m10"],
    ]);
    const first = JSON.parse(
      (await cli(["history", "show", "win", "--prefix", prefix, "--first", "2", "--json"])).stdout,
    );
    expect(first.messages.map((m: { index: number; content: string }) => [m.index, m.content])).toEqual([
      [1, "m1"],
      [2, "m2"],
    ]);
    expect(first.count).toBe(10);
  });

  it("uses one request for a whole history", async () => {
    const prefix = ns();
    await writeConversation(
      app,
      `${prefix}one`,
      storedMessages().map((f) => f.element),
    );
    const r = await cli(["history", "show", "one", "--prefix", prefix, "--json", "--stats"]);
    expect(r.stderr).toMatch(/stats: 1 (HTTP request|round trip), 4 Redis commands/);
  });

  it("a missing session exits 3 and suggests the near misses", async () => {
    const id = `Near-${randomUUID().slice(0, 6)}`;
    await writeConversation(app, `message_store:${id}`, PYTHON_ELEMENTS.slice(0, 2));
    await writeConversation(app, id.toLowerCase(), PYTHON_ELEMENTS.slice(0, 1));
    const r = await cli(["history", "show", id]);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(`no session '${id}'`);
    expect(r.stderr).toContain(`'message_store:${id}' (prefix message_store:, 2 messages)`);
    expect(r.stderr).toContain(`'${id.toLowerCase()}' (other case, 1 message)`);
    await delKeys(app, `message_store:${id}`, id.toLowerCase());
  });

  it("a key of another type exits 1 and says what it is", async () => {
    const prefix = ns();
    await app.set(`${prefix}cfg`, "{}");
    const r = await cli(["history", "show", "cfg", "--prefix", prefix]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`key '${prefix}cfg' is a string, not a chat history`);
  });

  it("lists sessions with count, TTL and newest message; only lists count", async () => {
    const prefix = ns();
    const els = storedMessages().map((f) => f.element);
    await writeConversation(app, `${prefix}a`, els.slice(0, 3), 7 * 86400);
    await writeConversation(app, `${prefix}b`, els.slice(0, 5));
    await app.set(`${prefix}not-a-chat`, "x");
    const r = await cli(["sessions", "list", "--prefix", prefix, "--json", "--sort", "name"]);
    expect(r.code).toBe(0);
    const v = JSON.parse(r.stdout);
    expect(v.map((s: { sessionId: string }) => s.sessionId)).toEqual(["a", "b"]);
    expect(v[0]).toMatchObject({
      key: `${prefix}a`,
      count: 3,
      last: { role: "assistant", content: "Tout droit — 200 m." },
    });
    expect(v[0].ttlSeconds).toBeGreaterThan(6 * 86400);
    expect(v[1]).toMatchObject({ count: 5, ttlSeconds: null });
    const bySize = JSON.parse(
      (await cli(["sessions", "list", "--prefix", prefix, "--json", "--sort", "count", "--limit", "1"])).stdout,
    );
    expect(bySize.map((s: { sessionId: string }) => s.sessionId)).toEqual(["b"]);
    const piped = await cli(["sessions", "list", "--prefix", prefix, "--sort", "name"]);
    expect(piped.stdout.split("\n")[0]).toMatch(/^a\t3\t\d+\tassistant\tTout droit — 200 m\.$/);
    const nd = await cli(["sessions", "list", "--prefix", prefix, "--ndjson"]);
    expect(
      nd.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l).sessionId)
        .sort(),
    ).toEqual(["a", "b"]);
    const pattern = JSON.parse((await cli(["sessions", "list", "b*", "--prefix", prefix, "--json"])).stdout);
    expect(pattern).toHaveLength(1);
  });

  it("scans many sessions within the request budget", async () => {
    const prefix = ns();
    await lpushMany(
      app,
      Array.from({ length: 2500 }, (_, i) => [`${prefix}s${i}`, storedMessages()[1].element]),
    );
    const r = await cli(["sessions", "list", "--prefix", prefix, "--json", "--stats"]);
    expect(JSON.parse(r.stdout)).toHaveLength(2500);
    // SCAN walks the whole keyspace (other tests' keys too), so bound by keys
    // scanned; on a cluster each master's walk is bounded the same way, plus
    // one request for the cluster's layout.
    const total = await dbsizeOf(app);
    const requests = Number(/stats: (\d+)/.exec(r.stderr)![1]);
    const nodes = transport === "cluster" ? 3 : 1;
    expect(requests).toBeLessThanOrEqual(2 * Math.ceil(total / 1000) + 2 * nodes + (nodes > 1 ? 1 : 0));
  });

  it("usage errors exit 2", async () => {
    expect((await cli(["history", "show", "x", "--first", "2", "--last", "2"])).code).toBe(2);
    expect((await cli(["history", "show", "  "])).code).toBe(2);
    expect((await cli(["history", "show"])).code).toBe(2);
    expect((await cli(["sessions", "list", "--json", "--ndjson"])).code).toBe(2);
    expect((await cli(["sessions", "list", "--sort", "size"])).code).toBe(2);
  });
});

describe("read-only token", () => {
  it("can show a history but not list sessions (exit 4, says why)", async () => {
    const s = stack();
    const key = `ro-${randomUUID().slice(0, 8)}`;
    await writeConversation(
      app,
      key,
      storedMessages()
        .slice(0, 2)
        .map((f) => f.element),
    );
    const env = { UPSTASH_REDIS_REST_URL: s.restUrl, UPSTASH_REDIS_REST_TOKEN: s.readonlyToken };
    const show = await runCli(["history", "show", key, "--json"], { env });
    expect(show.code).toBe(0);
    expect(JSON.parse(show.stdout).count).toBe(2);
    const list = await runCli(["sessions", "list"], { env });
    expect(list.code).toBe(4);
    expect(list.stderr).toContain("read-only tokens may not run SCAN");
  });
});

describe.each(TRANSPORTS)("large histories over %s", (transport) => {
  const cli = cliOn(transport);
  const app = appOn(transport);
  it("--ndjson and --json stream a long history page by page, in order", async () => {
    const key = `long-${randomUUID().slice(0, 8)}`;
    const els = Array.from({ length: 2500 }, (_, i) =>
      JSON.stringify({ type: i % 2 ? "ai" : "human", data: { content: `m${i + 1}` } }),
    );
    for (let i = 0; i < els.length; i += 500) await app.lpush(key, ...els.slice(i, i + 500));
    const nd = await cli(["history", "show", key, "--ndjson", "--stats"]);
    expect(nd.code).toBe(0);
    const lines = nd.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.index)).toEqual(els.map((_, i) => i + 1));
    expect(lines.map((l) => l.content)).toEqual(els.map((_, i) => `m${i + 1}`));
    expect(nd.stderr).toMatch(/stats: 3 /);
    const js = await cli(["history", "show", key, "--json", "--stats"]);
    expect(JSON.parse(js.stdout).messages).toHaveLength(2500);
    expect(js.stderr).toMatch(/stats: 3 /);
    await app.del(key);
  });

  it("--json of 20,000 messages, written a page at a time, is the document JSON.stringify prints", async () => {
    const key = `long-${randomUUID().slice(0, 8)}`;
    // Contents that JSON must escape, and characters it prints as \u escapes, across page boundaries.
    const content = (i: number) => (i % 997 === 0 ? `"quoted"\n\t\u2028 ${i}` : `m${i}`);
    const els = Array.from({ length: 20_000 }, (_, i) =>
      JSON.stringify({ type: i % 2 ? "ai" : "human", data: { content: content(i + 1) } }),
    );
    for (let i = 0; i < els.length; i += 1000) await app.lpush(key, ...els.slice(i, i + 1000));
    const expected = {
      sessionId: key,
      key,
      count: els.length,
      ttlSeconds: null,
      messages: els.map((raw, i) => ({
        index: i + 1,
        role: i % 2 ? "assistant" : "user",
        type: i % 2 ? "ai" : "human",
        content: content(i + 1),
        raw,
      })),
    };
    const text = `${JSON.stringify(expected, null, 2).replace(/\u2028/g, "\\u2028")}\n`;
    for (const flags of [["--json"], ["--format", "json"]]) {
      const r = await cli(["history", "show", key, ...flags]);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual(expected);
      expect(r.stdout === text).toBe(true);
    }
    await app.del(key);
  });
});
