// search and stats end to end on every transport, against seeded sessions
// whose answers the test knows: the hits from the contents it wrote, the
// roles of odd elements from the codec (the one authority on stored formats,
// which the server-side scripts must agree with), the numbers from its own
// arithmetic.
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { appOn, cliOn, connectionEnv, TRANSPORTS, writeConversation } from "../harness/transports.js";
import { HOSTILE_SHAPES, MALFORMED, PYTHON_ELEMENTS, storedMessages } from "../harness/fixtures.js";
import { decodeElement } from "../../src/history/codec.js";
import { runInPty, screenLines } from "../harness/pty.js";

interface Msg {
  type: "human" | "ai" | "system";
  content: string;
}
const ROLE = { human: "user", ai: "assistant", system: "system" } as const;
const element = (m: Msg) => JSON.stringify({ type: m.type, data: { content: m.content, additional_kwargs: {} } });

/** Session i: (i % 6) + 1 messages, alternating user and assistant after a system message every 4th session. */
function conversation(i: number): Msg[] {
  const n = (i % 6) + 1;
  return Array.from({ length: n }, (_, j) => ({
    type: i % 4 === 0 && j === 0 ? "system" : j % 2 ? "ai" : "human",
    content:
      i === 11 && j === 2
        ? "Where is my Order 1234? It was due Monday."
        : i === 13 && j === 1
          ? "order 1234 shipped today"
          : i === 21 && j === 3
            ? "Not ORDER-1234, order 12345"
            : `message ${j + 1} of session ${i}`,
  }));
}
const SESSIONS = 30;
const TTLS: Record<number, number> = { 1: 600, 2: 7200, 3: 200_000, 4: 2_000_000 };
const ttlOf = (i: number) => TTLS[i % 5] as number | undefined;

const nearestRank = (sorted: number[], p: number) => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)];
const stats = (stderr: string) => Number(/stats: (\d+)/.exec(stderr)![1]);

describe.each(TRANSPORTS)("search and stats over %s", (transport) => {
  const cli = cliOn(transport);
  const cliEnv = () => connectionEnv(transport);
  const app = appOn(transport);
  const prefix = `ss${randomUUID().slice(0, 8)}:`;
  const odd = [
    ...storedMessages().map((f) => f.element),
    ...PYTHON_ELEMENTS,
    ...MALFORMED.map((m) => m.element),
    ...HOSTILE_SHAPES.map((h) => h.element),
  ];
  const badKey = Buffer.concat([Buffer.from(`${prefix}bytes-`), Buffer.from([0xff])]);
  const badMsg: Msg = { type: "human", content: "order 1234 from a key that is not UTF-8" };
  const filler: Msg[] = Array.from({ length: 7 }, (_, i) => ({ type: "ai", content: `filler ${i}` }));
  const pythonOrder =
    '{"type": "ai", "data": {"content": "Caf\\u00e9 says: order 1234 is ready", "additional_kwargs": {}, "type": "ai"}}';
  const notAMessage = "order 1234 written as plain text";

  beforeAll(async () => {
    for (let i = 0; i < SESSIONS; i++)
      await writeConversation(app, `${prefix}c${i}`, conversation(i).map(element), ttlOf(i));
    await writeConversation(app, `${prefix}odd`, [...odd, pythonOrder, notAMessage]);
    // Long enough to be among the largest sessions.
    await writeConversation(app, badKey as unknown as string, [element(badMsg), ...filler.map(element)]);
    await app.set(`${prefix}config`, "x");
    await app.hset(`${prefix}profile`, "a", "b");
    await app.sadd(`${prefix}tags`, "t");
    await app.set(`${prefix}flag`, "y");
  }, 120_000);

  /** Every hit the test expects for a case-insensitive "order 1234", oldest first per session. */
  function expectedHits(find: (content: string) => boolean, role?: string) {
    const hits: { sessionId: string; index: number; role: string; content: string }[] = [];
    for (let i = 0; i < SESSIONS; i++)
      conversation(i).forEach((m, j) => {
        if (find(m.content) && (!role || ROLE[m.type] === role))
          hits.push({ sessionId: `c${i}`, index: j + 1, role: ROLE[m.type], content: m.content });
      });
    if (find("Café says: order 1234 is ready") && (!role || role === "assistant"))
      hits.push({
        sessionId: "odd",
        index: odd.length + 1,
        role: "assistant",
        content: "Café says: order 1234 is ready",
      });
    if (find(badMsg.content) && (!role || role === "user"))
      hits.push({ sessionId: "bytes-\\xff", index: 1, role: "user", content: badMsg.content });
    return hits;
  }
  const sortHits = <T extends { sessionId: string; index: number }>(h: T[]) =>
    [...h].sort((a, b) => (a.sessionId < b.sessionId ? -1 : a.sessionId > b.sessionId ? 1 : a.index - b.index));

  it("search: every message holding the text, case-insensitive, numbered as history show numbers them", async () => {
    const r = await cli(["search", "order 1234", "--prefix", prefix, "--json"]);
    expect(r.code).toBe(0);
    const hits = JSON.parse(r.stdout) as {
      sessionId: string;
      key: string;
      index: number;
      role: string;
      content: string;
    }[];
    const want = expectedHits((c) => c.toLowerCase().includes("order 1234"));
    expect(want.length).toBe(5);
    const fields = ({ sessionId, index, role, content }: Record<string, unknown>) => ({
      sessionId,
      index,
      role,
      content,
    });
    expect(sortHits(hits).map(fields)).toEqual(sortHits(want));
    const c11 = hits.find((h) => h.sessionId === "c11")!;
    expect(c11).toEqual({
      sessionId: "c11",
      key: `${prefix}c11`,
      index: 3,
      role: "user",
      type: "human",
      content: "Where is my Order 1234? It was due Monday.",
    });
    const bytes = hits.find((h) => h.sessionId.startsWith("bytes-")) as unknown as { keyBase64: string };
    expect(Buffer.from(bytes.keyBase64, "base64")).toEqual(badKey);
    // The element that holds the text but is no chat message is counted, never a hit.
    expect(r.stderr).toMatch(/1 element that matches is not a chat message and was skipped/);
    // history show gives the same number to the same message.
    const show = await cli(["history", "show", "c11", "--prefix", prefix, "--json"]);
    expect(JSON.parse(show.stdout).messages[c11.index - 1].content).toBe(c11.content);
  });

  it("a session with more matches than one script call sends back: every hit once, numbered right", async () => {
    const p2 = `ssl${randomUUID().slice(0, 8)}:`;
    const long = Array.from({ length: 300 }, (_, i) => ({
      type: i % 2 ? "ai" : "human",
      content: `order 1234, line ${i + 1} ${"padding ".repeat(10)}`,
    })) as Msg[];
    await writeConversation(app, `${p2}long`, long.map(element));
    await writeConversation(app, `${p2}short`, [element({ type: "human", content: "no order here" })]);
    const r = await cli(["search", "ORDER 1234", "--prefix", p2, "--json", "--stats"]);
    expect(r.code).toBe(0);
    const hits = JSON.parse(r.stdout) as { sessionId: string; index: number; content: string }[];
    expect(hits.map((h) => h.index).sort((a, b) => a - b)).toEqual(long.map((_, i) => i + 1));
    for (const h of hits) expect(h.content).toBe(long[h.index - 1].content);
    // 300 elements of about 100 bytes, 4 KB a call: several calls, one request each.
    expect(stats(r.stderr)).toBeGreaterThan(4);
  });

  it("search --case-sensitive, --role, --regex, --match", async () => {
    const exact = await cli(["search", "Order 1234", "--prefix", prefix, "--case-sensitive", "--json"]);
    expect(sortHits(JSON.parse(exact.stdout)).map((h: { sessionId: string }) => h.sessionId)).toEqual(
      expectedHits((c) => c.includes("Order 1234")).map((h) => h.sessionId),
    );
    const ai = await cli(["search", "ORDER 1234", "--prefix", prefix, "--role", "ai", "--json"]);
    expect(
      sortHits(JSON.parse(ai.stdout)).map((h: { sessionId: string; index: number }) => [h.sessionId, h.index]),
    ).toEqual(
      sortHits(expectedHits((c) => c.toLowerCase().includes("order 1234"), "assistant")).map((h) => [
        h.sessionId,
        h.index,
      ]),
    );
    const re = /order[ -]1234\b/i;
    const rx = await cli(["search", re.source, "--regex", "--prefix", prefix, "--json"]);
    expect(
      sortHits(JSON.parse(rx.stdout)).map((h: { sessionId: string; index: number }) => [h.sessionId, h.index]),
    ).toEqual(sortHits(expectedHits((c) => re.test(c))).map((h) => [h.sessionId, h.index]));
    const some = await cli(["search", "order 1234", "--prefix", prefix, "--match", "c1*", "--json"]);
    expect(
      JSON.parse(some.stdout)
        .map((h: { sessionId: string }) => h.sessionId)
        .sort(),
    ).toEqual(["c11", "c13"]);
  });

  it("search piped: one tab-separated line per hit; --ndjson one object per line; --limit stops", async () => {
    const r = await cli(["search", "order 1234", "--prefix", prefix, "--match", "c11"]);
    expect(r.stdout).toBe("c11\t3\tuser\tWhere is my Order 1234? It was due Monday.\n");
    const nd = await cli(["search", "message 1 of", "--prefix", prefix, "--ndjson"]);
    const lines = nd.stdout.trim().split("\n");
    expect(lines).toHaveLength(SESSIONS);
    expect(lines.map((l) => JSON.parse(l).index)).toEqual(lines.map(() => 1));
    const lim = await cli(["search", "message", "--prefix", prefix, "--limit", "3", "--ndjson"]);
    expect(lim.stdout.trim().split("\n")).toHaveLength(3);
    expect(lim.stderr).toMatch(/stopped after 3 hits \(--limit\)/);
  });

  it("search with no hits: exit 0, [] and a note on stderr", async () => {
    const r = await cli(["search", "no such words anywhere", "--prefix", prefix, "--json"]);
    expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 0, stdout: "[]\n" });
    expect(r.stderr).toMatch(/no messages match 'no such words anywhere' \(32 sessions searched\)/);
  });

  it("search with a bad --regex is a usage error naming the fix, before any request", async () => {
    const r = await cli(["search", "(", "--regex", "--prefix", prefix]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/invalid --regex/);
  });

  it("stats: the numbers the seeded data holds", async () => {
    const r = await cli(["stats", "--prefix", prefix, "--json"]);
    expect(r.code).toBe(0);
    const v = JSON.parse(r.stdout);
    const counts = [
      ...Array.from({ length: SESSIONS }, (_, i) => conversation(i).length),
      odd.length + 2,
      1 + filler.length,
    ];
    const byRole = { user: 1, assistant: filler.length, system: 0, tool: 0, other: 0 };
    let unrecognized = 0;
    for (let i = 0; i < SESSIONS; i++) for (const m of conversation(i)) byRole[ROLE[m.type]]++;
    for (const e of [...odd, pythonOrder, notAMessage]) {
      const m = decodeElement(Buffer.from(e), 1);
      if (m.problem) unrecognized++;
      else byRole[(m.role in byRole ? m.role : "other") as keyof typeof byRole]++;
    }
    const sorted = [...counts].sort((a, b) => a - b);
    const ttl = { none: 2, under1h: 0, under1d: 0, under7d: 0, longer: 0 };
    for (let i = 0; i < SESSIONS; i++) {
      const t = ttlOf(i);
      ttl[
        t === undefined ? "none" : t < 3600 ? "under1h" : t < 86400 ? "under1d" : t < 604800 ? "under7d" : "longer"
      ]++;
    }
    const ids = [...Array.from({ length: SESSIONS }, (_, i) => `c${i}`), "odd", "bytes-\\xff"];
    const largest = ids
      .map((sessionId, i) => ({ sessionId, count: counts[i] }))
      .sort((a, b) => b.count - a.count || (a.sessionId < b.sessionId ? -1 : 1))
      .slice(0, 10);
    expect(v).toMatchObject({
      sessions: SESSIONS + 2,
      messages: counts.reduce((a, b) => a + b, 0),
      byRole,
      unrecognized,
      messagesPerSession: {
        p50: nearestRank(sorted, 0.5),
        p90: nearestRank(sorted, 0.9),
        p99: nearestRank(sorted, 0.99),
        max: sorted[sorted.length - 1],
      },
      ttl,
      largest,
      otherKeys: { string: 2, hash: 1, set: 1 },
    });
    expect(unrecognized).toBeGreaterThan(10);
    // Each key's MEMORY USAGE, counted where it is stored (the elements alone are fewer bytes).
    expect(v.bytesMeasure).toBe("memory usage");
    const elementBytes = [...odd, pythonOrder, notAMessage].reduce((t, e) => t + Buffer.byteLength(e), 0);
    expect(v.bytes).toBeGreaterThan(elementBytes);
  });

  it("stats piped: plain aligned text, no bars; a pattern narrows it", async () => {
    const r = await cli(["stats", "c1*", "--prefix", prefix]);
    expect(r.code).toBe(0);
    const n = Array.from({ length: SESSIONS }, (_, i) => i).filter((i) => String(i).startsWith("1"));
    expect(r.stdout).toMatch(new RegExp(`^sessions +${n.length}\\n`));
    expect(r.stdout).toMatch(new RegExp(`\\nmessages +${n.reduce((t, i) => t + conversation(i).length, 0)}\\n`));
    expect(r.stdout).not.toMatch(/[█▏▎▍▌▋▊▉\u001b]/);
  });

  if (transport === "rest")
    it("on a terminal: hits with the match highlighted, the stats with bar charts", async () => {
      const env = cliEnv();
      const r = await runInPty(["search", "order 1234", "--prefix", prefix, "--match", "c11", "--no-pager"], [], {
        env,
      });
      expect(r.code).toBe(0);
      // The match in bold yellow, inside the snippet.
      expect(r.screen).toContain("Where is my \u001b[1m\u001b[33mOrder 1234\u001b[39m\u001b[22m? It was due Monday.");
      expect(screenLines(r.screen)[0]).toBe("c11  #3  user  Where is my Order 1234? It was due Monday.");
      const st = await runInPty(["stats", "--prefix", prefix, "--no-pager"], [], { env });
      expect(st.code).toBe(0);
      const lines = screenLines(st.screen);
      expect(lines).toContain("messages by role");
      // The biggest share gets the full bar of 20 cells.
      expect(st.screen).toMatch(/█{20}/);
      expect(lines.find((l) => l.startsWith("sessions "))).toBe(`sessions           ${SESSIONS + 2}`);
    });

  if (transport !== "cluster")
    it("search --limit sends nothing more once it has its hits", async () => {
      const many = `ssm${randomUUID().slice(0, 8)}:`;
      const { lpushMany } = await import("../harness/transports.js");
      await lpushMany(
        app,
        Array.from({ length: 2500 }, (_, i) => [`${many}${i}`, element({ type: "human", content: `common ${i}` })]),
      );
      const all = await cli(["search", "common", "--prefix", many, "--stats", "--ndjson"]);
      expect(all.stdout.trim().split("\n")).toHaveLength(2500);
      const two = await cli(["search", "common", "--prefix", many, "--stats", "--ndjson", "--limit", "2"]);
      expect(two.stdout.trim().split("\n")).toHaveLength(2);
      expect(stats(two.stderr)).toBeLessThan(stats(all.stderr));
    });

  if (transport !== "cluster")
    it("search costs at most the listing's requests plus one", async () => {
      const list = await cli(["sessions", "list", "--prefix", prefix, "--stats"]);
      const search = await cli(["search", "order 1234", "--prefix", prefix, "--stats", "--json"]);
      expect(stats(search.stderr)).toBeLessThanOrEqual(stats(list.stderr) + 1);
      const st = await cli(["stats", "--prefix", prefix, "--stats", "--json"]);
      expect(stats(st.stderr)).toBeLessThanOrEqual(stats(list.stderr) + 1);
    });
});
