// append, expire, clear, export and import, end to end on both transports.
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Redis as IORedis } from "ioredis";
import { appOn, appRedis, cliOn, existing, lrangeBytes, TRANSPORTS, writeConversation } from "../harness/transports.js";
import { MALFORMED, storedMessages } from "../harness/fixtures.js";

let app: IORedis;
beforeAll(() => {
  app = appRedis();
});
afterAll(() => app.quit());

const ns = () => `w${randomUUID().slice(0, 8)}:`;
const tmp = (name: string) => path.join(fs.mkdtempSync(path.join(os.tmpdir(), "um-")), name);

describe.each(TRANSPORTS)("writing over %s", (transport) => {
  const cli = cliOn(transport);
  const app = appOn(transport);

  it("append writes LangChain's exact shape, newest first, and prints count and TTL", async () => {
    const prefix = ns();
    const r1 = await cli(["append", "s", "hello there", "--prefix", prefix, "--json"]);
    expect(r1.code).toBe(0);
    expect(JSON.parse(r1.stdout)).toMatchObject({ sessionId: "s", count: 1, ttlSeconds: null, applied: true });
    const r2 = await cli(["append", "s", "hi!", "--role", "assistant", "--ttl", "2h", "--prefix", prefix, "--json"]);
    expect(JSON.parse(r2.stdout)).toMatchObject({ count: 2, ttlSeconds: 7200 });
    const [newest, oldest] = (await lrangeBytes(app, `${prefix}s`)).map((b) => JSON.parse(b.toString()));
    expect(Object.keys(oldest.data)).toEqual(["content", "id", "additional_kwargs", "response_metadata"]);
    expect(oldest).toMatchObject({
      type: "human",
      data: { content: "hello there", additional_kwargs: {}, response_metadata: {} },
    });
    expect(Object.keys(newest.data)).toEqual([
      "content",
      "id",
      "tool_calls",
      "invalid_tool_calls",
      "additional_kwargs",
      "response_metadata",
    ]);
    expect(newest.type).toBe("ai");
    // Without --ttl the TTL is left as it is.
    await cli(["append", "s", "third", "--prefix", prefix]);
    expect(await app.ttl(`${prefix}s`)).toBeGreaterThan(7000);
  });

  it("append reads content from stdin, a file, or --message-json", async () => {
    const prefix = ns();
    const file = tmp("msg.txt");
    fs.writeFileSync(file, "from a file ✓");
    expect((await cli(["append", "s", "-", "--prefix", prefix], { input: "from stdin 🚀\n" })).code).toBe(0);
    expect((await cli(["append", "s", "--file", file, "--prefix", prefix])).code).toBe(0);
    const sys = '{"type":"system","data":{"content":"Be brief.","additional_kwargs":{},"response_metadata":{}}}';
    expect((await cli(["append", "s", "--message-json", sys, "--prefix", prefix])).code).toBe(0);
    const els = (await lrangeBytes(app, `${prefix}s`)).map((b) => JSON.parse(b.toString()));
    expect(els.map((e) => e.data.content)).toEqual(["Be brief.", "from a file ✓", "from stdin 🚀"]);
    expect(els[0].type).toBe("system");
  });

  it("rejects bad input with exit 2 and writes nothing", async () => {
    const prefix = ns();
    const key = `${prefix}s`;
    await writeConversation(app, key, [storedMessages()[1].element], 500);
    const before = await lrangeBytes(app, key);
    const file = tmp("bad.bin");
    fs.writeFileSync(file, Buffer.from([0x61, 0xff, 0xfe]));
    const cases: string[][] = [
      ["append", " ", "x"],
      ["append", "s", "x", "--role", "wizard"],
      ["append", "s", "x", "--ttl", "0"],
      ["append", "s", "x", "--ttl", "-5"],
      ["append", "s", "x", "--ttl", "soon"],
      ["append", "s", "x", "--ttl", "999999999999"],
      ["append", "s", "--message-json", '{"type":"human"}'],
      ["append", "s", "--message-json", "not json"],
      ["append", "s", "--file", file],
      ["append", "s"],
      ["expire", "s", "0"],
      ["expire", "s", "never"],
    ];
    for (const args of cases) {
      const r = await cli([...args, "--prefix", prefix]);
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.stderr.split("\n")[0]).toMatch(/^upstash-memory: /);
    }
    expect(await lrangeBytes(app, key)).toEqual(before);
    expect(await app.ttl(key)).toBeGreaterThan(400);
  });

  // UpstashRedisChatMessageHistory speaks only REST: on the other transports this is skipped, and says so.
  it.skipIf(transport !== "rest")(
    "Flowise and LangChain read an appended message back as a normal message (REST only: the Upstash class speaks REST)",
    async () => {
      const { UpstashRedisChatMessageHistory } = await import("@langchain/community/stores/message/upstash_redis");
      const { stack } = await import("../harness/stack.js");
      const id = `lc-${randomUUID().slice(0, 8)}`;
      await cli(["append", id, "What's the weather in Kyoto?"]);
      await cli(["append", id, "Rainy, 18°C.", "--role", "assistant"]);
      const history = new UpstashRedisChatMessageHistory({
        sessionId: id,
        config: { url: stack().restUrl, token: stack().restToken },
      });
      const messages = await history.getMessages();
      expect(messages.map((m) => [m.getType(), m.content])).toEqual([
        ["human", "What's the weather in Kyoto?"],
        ["ai", "Rainy, 18°C."],
      ]);
      await app.del(id);
    },
  );

  it("expire sets and removes TTLs, reports missing sessions with exit 3", async () => {
    const prefix = ns();
    await writeConversation(app, `${prefix}a`, [storedMessages()[1].element]);
    await writeConversation(app, `${prefix}b`, [storedMessages()[1].element]);
    await app.set(`${prefix}str`, "x");
    const r = await cli(["expire", "a", "b", "nope", "str", "12h", "--prefix", prefix, "--json"]);
    expect(r.code).toBe(3);
    const rows = JSON.parse(r.stdout);
    expect(rows.map((x: { sessionId: string; status: string }) => [x.sessionId, x.status])).toEqual([
      ["a", "ok"],
      ["b", "ok"],
      ["nope", "missing"],
      ["str", "not-a-list"],
    ]);
    expect(await app.ttl(`${prefix}a`)).toBeGreaterThan(43100);
    expect(await app.ttl(`${prefix}str`)).toBe(-1);
    expect((await cli(["expire", "a", "--persist", "--prefix", prefix])).code).toBe(0);
    expect(await app.ttl(`${prefix}a`)).toBe(-1);
    const one = await cli(["expire", "b", "90s", "--prefix", prefix, "--stats"]);
    expect(one.stderr).toMatch(/stats: 1 /);
    expect(await app.ttl(`${prefix}b`)).toBeGreaterThan(80);
  });

  it("expire --match asks (refuses without --yes off a terminal) and applies to every match", async () => {
    const prefix = ns();
    for (const id of ["t1", "t2", "keep"])
      await writeConversation(app, `${prefix}${id}`, [storedMessages()[1].element]);
    const refused = await cli(["expire", "--match", "t*", "1h", "--prefix", prefix]);
    expect(refused.code).toBe(2);
    expect(await app.ttl(`${prefix}t1`)).toBe(-1);
    const done = await cli(["expire", "--match", "t*", "1h", "--prefix", prefix, "--yes"]);
    expect(done.code).toBe(0);
    expect(done.stderr).toContain("2 sessions");
    expect(await app.ttl(`${prefix}t1`)).toBeGreaterThan(3590);
    expect(await app.ttl(`${prefix}keep`)).toBe(-1);
  });

  it("clear refuses without --yes, --dry-run deletes nothing, --backup saves first", async () => {
    const prefix = ns();
    const els = storedMessages().map((f) => f.element);
    await writeConversation(app, `${prefix}x1`, els.slice(0, 3));
    await writeConversation(app, `${prefix}x2`, els.slice(0, 4), 900);
    const refused = await cli(["clear", "x1", "x2", "--prefix", prefix]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("refusing to delete 2 sessions, 7 messages");
    const dry = await cli(["clear", "--match", "x*", "--dry-run", "--prefix", prefix]);
    expect(dry.code).toBe(0);
    expect(dry.stderr).toContain("would delete 2 sessions, 7 messages");
    expect(await existing(app, `${prefix}x1`, `${prefix}x2`)).toBe(2);
    const backup = tmp("backup.jsonl");
    const done = await cli(["clear", "--match", "x*", "--yes", "--backup", backup, "--prefix", prefix, "--json"]);
    expect(done.code).toBe(0);
    expect(JSON.parse(done.stdout).deleted).toHaveLength(2);
    expect(await existing(app, `${prefix}x1`, `${prefix}x2`)).toBe(0);
    const lines = fs
      .readFileSync(backup, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.sessionId).sort()).toEqual(["x1", "x2"]);
    const missing = await cli(["clear", "gone", "--yes", "--prefix", prefix]);
    expect(missing.code).toBe(3);
  });

  it("export → clear → import gives back the same bytes in the same order, TTLs restored", async () => {
    const prefix = ns();
    const elements: (string | Buffer)[] = [
      ...storedMessages().map((f) => f.element),
      ...MALFORMED.map((m) => m.element),
      Buffer.from([0x7b, 0xff, 0xfe, 0x00, 0x41]),
      "emoji 🧪 and CJK 你好",
    ];
    await writeConversation(app, `${prefix}full`, elements, 5000);
    await writeConversation(app, `${prefix}small`, [storedMessages()[0].element]);
    const before = { full: await lrangeBytes(app, `${prefix}full`), small: await lrangeBytes(app, `${prefix}small`) };
    const file = tmp("export.jsonl");
    const ex = await cli(["export", "--out", file, "--prefix", prefix]);
    expect(ex.code).toBe(0);
    expect(ex.stderr).toContain("exported 2 sessions");
    const cleared = await cli(["clear", "--match", "*", "--yes", "--prefix", prefix]);
    expect(cleared.code).toBe(0);
    expect(await app.exists(`${prefix}full`)).toBe(0);
    const im = await cli(["import", file]);
    expect(im.code).toBe(0);
    expect(await lrangeBytes(app, `${prefix}full`)).toEqual(before.full);
    expect(await lrangeBytes(app, `${prefix}small`)).toEqual(before.small);
    expect(await app.ttl(`${prefix}full`)).toBeGreaterThan(4900);
    expect(await app.ttl(`${prefix}small`)).toBe(-1);
    // Again: existing sessions are skipped, --merge adds nothing new, --replace restores.
    const again = await cli(["import", file, "--json"]);
    expect(JSON.parse(again.stdout).skipped).toHaveLength(2);
    await app.lpush(`${prefix}small`, "newer");
    expect((await cli(["import", file, "--merge"])).code).toBe(0);
    expect((await lrangeBytes(app, `${prefix}small`)).map(String)).toEqual(["newer", ...before.small.map(String)]);
    expect((await cli(["import", file, "--replace"])).code).toBe(2);
    expect((await cli(["import", file, "--replace", "--yes"])).code).toBe(0);
    expect(await lrangeBytes(app, `${prefix}small`)).toEqual(before.small);
  });

  it("--dry-run changes nothing; ids and --match together are a usage error", async () => {
    const prefix = ns();
    await writeConversation(app, `${prefix}d`, ["one"]);
    const exp = await cli(["expire", "--match", "*", "1h", "--dry-run", "--prefix", prefix]);
    expect(exp.code).toBe(0);
    expect(exp.stderr).toContain("1 session");
    expect(await app.ttl(`${prefix}d`)).toBe(-1);
    const file = tmp("dry.jsonl");
    fs.writeFileSync(file, (await cli(["export", "d", "--prefix", prefix])).stdout);
    await app.del(`${prefix}d`);
    const imp = await cli(["import", file, "--dry-run", "--json"]);
    expect(JSON.parse(imp.stdout)).toEqual({ written: [`${prefix}d`], skipped: [], notLists: [] });
    expect(await app.exists(`${prefix}d`)).toBe(0);
    for (const c of ["clear", "expire", "export"]) {
      const r = await cli([c, "d", "--match", "*", ...(c === "expire" ? ["1h"] : []), "--yes", "--prefix", prefix]);
      expect({ c, code: r.code }).toEqual({ c, code: 2 });
    }
  });

  it("import validates every line first: a bad line writes nothing (exit 2)", async () => {
    const prefix = ns();
    const file = tmp("bad.jsonl");
    fs.writeFileSync(
      file,
      [
        JSON.stringify({ key: `${prefix}ok`, sessionId: "ok", ttlSeconds: null, elements: ["a"] }),
        JSON.stringify({ key: `${prefix}bad`, ttlSeconds: -1, elements: ["b"] }),
      ].join("\n"),
    );
    const r = await cli(["import", file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("import line 2");
    expect(await app.exists(`${prefix}ok`)).toBe(0);
    const stdin = await cli(["import", "-"], { input: "{not json\n" });
    expect(stdin.code).toBe(2);
  });

  it("export streams JSON Lines to stdout; explicit ids; missing id exit 3", async () => {
    const prefix = ns();
    await writeConversation(app, `${prefix}e1`, ["one", "two"]);
    const r = await cli(["export", "e1", "missing", "--prefix", prefix]);
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout)).toEqual({
      key: `${prefix}e1`,
      sessionId: "e1",
      ttlSeconds: null,
      elements: ["two", "one"],
    });
  });
});
