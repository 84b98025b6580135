// `upstash-memory mcp` through the official MCP client: the SDK's Client and
// StdioClientTransport spawn the built binary against the test Redis, over
// REST and redis://. Every tool is called and its structured answer compared
// with the matching command's --json (the CLI is run too); write tools exist
// only with --allow-writes; answers stay bounded, sanitised and free of
// secrets; a message appended through the tool is read back by LangChain.
import fs from "node:fs";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { UpstashRedisChatMessageHistory } from "@langchain/community/stores/message/upstash_redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { BIN, baseEnv, runCli, tempConfigDir } from "../harness/cli.js";
import { stack, uniqueId } from "../harness/stack.js";
import {
  appOn,
  cliOn,
  connectionEnv,
  lpushMany,
  writeConversation,
  type TransportName,
} from "../harness/transports.js";
import { aiElement, humanElement } from "../harness/fixtures.js";

interface Answer {
  content: { type: string; text: string }[];
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
}

const READ_TOOLS = [
  "list_sessions",
  "show_history",
  "search_messages",
  "session_stats",
  "diagnose_session",
  "summarize_session",
];
const WRITE_TOOLS = ["append_message", "set_ttl", "trim_session", "clear_sessions", "repair_session", "store_summary"];
const DESTRUCTIVE = new Set(["clear_sessions", "trim_session", "repair_session", "store_summary"]);

/** Every secret of the suite: none may appear in any answer. */
function secrets(): string[] {
  const redisPassword = decodeURIComponent(new URL(inject("redisUrl")).password);
  return [inject("restToken"), inject("readonlyToken"), redisPassword].filter(Boolean);
}

/** Characters no answer text may carry: escapes and controls (tab and newline allowed), bidi controls. */
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

class Session {
  readonly answers: Answer[] = [];
  constructor(
    readonly client: Client,
    readonly configDir: string,
    readonly stderr: () => string,
  ) {}

  async call(name: string, args: Record<string, unknown> = {}): Promise<Answer> {
    const r = (await this.client.callTool({ name, arguments: args })) as Answer;
    this.answers.push(r);
    const wire = JSON.stringify(r);
    for (const s of secrets()) expect(wire.includes(s), `a secret in the answer of ${name}`).toBe(false);
    expect(wire.length, `${name}: answer of ${wire.length} characters`).toBeLessThan(52_000);
    for (const c of r.content) expect(c.text).not.toMatch(UNSAFE);
    return r;
  }

  close(): Promise<void> {
    return this.client.close();
  }
}

async function startServer(
  env: Record<string, string>,
  args: string[] = [],
  configDir = tempConfigDir(),
): Promise<Session> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN, "mcp", ...args],
    env: { ...baseEnv(configDir), ...env },
    stderr: "pipe",
  });
  let stderr = "";
  transport.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString("utf8");
  });
  const client = new Client({ name: "upstash-memory-test", version: "0.0.0" });
  await client.connect(transport);
  return new Session(client, configDir, () => stderr);
}

const errorText = (r: Answer) => r.content.map((c) => c.text).join("\n");
/** The CLI's error lines as a tool gives them: without the program name in front. */
const cliMessage = (stderr: string) =>
  stderr
    .trim()
    .split("\n")
    .map((l) => l.replace(/^upstash-memory: /, ""))
    .join("\n");
/** TTLs count down between two runs: compared to the second apart. */
const ttlFree = (v: Record<string, unknown>) => ({
  ...v,
  ttlSeconds: typeof v.ttlSeconds === "number" ? Math.round(v.ttlSeconds / 10) : v.ttlSeconds,
});

describe.each(["rest", "redis"] as TransportName[])("mcp over %s", (t) => {
  const app = appOn(t);
  const cli = cliOn(t);
  const prefix = uniqueId(`mcp-${t}`);
  const id = (name: string) => `${prefix}-${name}`;
  let ro: Session;
  let rw: Session;

  beforeAll(async () => {
    await writeConversation(
      app,
      id("a"),
      [
        humanElement("Where is my order 1234?"),
        aiElement("Order 1234 shipped on Monday and arrives Thursday."),
        humanElement("Can I change the delivery address?"),
        aiElement("Yes: until it leaves the local depot, from the order page."),
      ],
      3600,
    );
    await writeConversation(app, id("b"), [humanElement("Hello"), aiElement("Hi! How can I help with order 1234?")]);
    await writeConversation(app, id("c"), [humanElement("Refund for voucher?"), aiElement("Vouchers never expire.")]);
    await app.set(id("str"), "not a list");
    ro = await startServer(connectionEnv(t));
    rw = await startServer(connectionEnv(t), ["--allow-writes"]);
  }, 60_000);
  afterAll(async () => {
    await ro?.close();
    await rw?.close();
  });

  it("lists the read tools only, with every annotation set; --allow-writes adds the write tools", async () => {
    const { tools } = await ro.client.listTools();
    expect(tools.map((x) => x.name).sort()).toEqual([...READ_TOOLS].sort());
    const all = (await rw.client.listTools()).tools;
    expect(all.map((x) => x.name).sort()).toEqual([...READ_TOOLS, ...WRITE_TOOLS].sort());
    for (const tool of all) {
      const a = tool.annotations!;
      for (const hint of ["readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"] as const)
        expect(typeof a[hint], `${tool.name}.${hint}`).toBe("boolean");
      expect(a.readOnlyHint).toBe(READ_TOOLS.includes(tool.name));
      expect(a.destructiveHint).toBe(DESTRUCTIVE.has(tool.name));
      expect(tool.inputSchema.type).toBe("object");
    }
    expect(all.find((x) => x.name === "append_message")!.annotations!.idempotentHint).toBe(false);
    expect(all.find((x) => x.name === "set_ttl")!.annotations!.idempotentHint).toBe(true);
  });

  it("list_sessions answers what sessions list --json does, page by page", async () => {
    const expected = JSON.parse((await cli(["sessions", "list", `${prefix}-*`, "--sort", "name", "--json"])).stdout);
    expect(expected.length).toBe(3); // the string key is no session
    const whole = await ro.call("list_sessions", { pattern: `${prefix}-*` });
    expect((whole.structuredContent!.sessions as Record<string, unknown>[]).map(ttlFree)).toEqual(
      expected.map(ttlFree),
    );
    expect(whole.structuredContent!.nextCursor).toBeUndefined();
    const pages: unknown[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 5; i++) {
      const r = await ro.call("list_sessions", { pattern: `${prefix}-*`, limit: 2, ...(cursor ? { cursor } : {}) });
      pages.push(...(r.structuredContent!.sessions as unknown[]));
      cursor = r.structuredContent!.nextCursor as string | undefined;
      if (!cursor) break;
      expect(errorText(r)).toContain(cursor);
    }
    expect((pages as Record<string, unknown>[]).map(ttlFree)).toEqual(expected.map(ttlFree));
  });

  it("show_history answers what history show --json does, with first and last", async () => {
    const expected = JSON.parse((await cli(["history", "show", id("a"), "--json"])).stdout);
    const tool = async (args: Record<string, unknown>) =>
      ttlFree((await ro.call("show_history", { sessionId: id("a"), ...args })).structuredContent!);
    expect(await tool({})).toEqual(ttlFree(expected));
    const last = JSON.parse((await cli(["history", "show", id("a"), "--last", "2", "--json"])).stdout);
    expect(await tool({ last: 2 })).toEqual(ttlFree(last));
    const first = JSON.parse((await cli(["history", "show", id("a"), "--first", "3", "--json"])).stdout);
    expect(await tool({ first: 3 })).toEqual(ttlFree(first));
  });

  it("search_messages and session_stats answer what search --json and stats --json do", async () => {
    const hits = JSON.parse((await cli(["search", "order 1234", "--match", `${prefix}-*`, "--json"])).stdout);
    expect(hits.length).toBe(3);
    const r = await ro.call("search_messages", { query: "order 1234", match: `${prefix}-*` });
    expect(r.structuredContent!.hits).toEqual(hits);
    const stats = JSON.parse((await cli(["stats", `${prefix}-*`, "--json"])).stdout);
    expect((await ro.call("session_stats", { pattern: `${prefix}-*` })).structuredContent).toEqual(stats);
  });

  it("diagnose_session and summarize_session answer what doctor --json and summarize --json do", async () => {
    const doctor = JSON.parse((await cli(["doctor", id("a"), "--json"])).stdout);
    const r = await ro.call("diagnose_session", { sessionId: id("a") });
    // Timings differ from run to run: the checks, their verdicts and hints must not.
    const shape = (checks: { id: string; status: string; hint: string | null }[]) =>
      checks.map((c) => [c.id, c.status, c.hint]);
    expect(shape(r.structuredContent!.checks as never)).toEqual(shape(doctor.checks));
    expect(r.content[0].text).toContain("key.session");
    const summary = JSON.parse((await cli(["summarize", id("a"), "--json"])).stdout);
    const s = await ro.call("summarize_session", { sessionId: id("a") });
    expect(s.structuredContent).toEqual(summary);
    expect(summary.engine).toBe("extractive");
  });

  it("a missing session or a key of another type is a tool error with the CLI's message and hint; the server goes on", async () => {
    const missing = await cli(["history", "show", id("nope"), "--json"]);
    expect(missing.code).toBe(3);
    const r = await ro.call("show_history", { sessionId: id("nope") });
    expect(r.isError).toBe(true);
    expect(errorText(r)).toBe(cliMessage(missing.stderr));
    const wrong = await ro.call("show_history", { sessionId: id("str") });
    expect(wrong.isError).toBe(true);
    expect(errorText(wrong)).toContain("is a string, not a chat history");
    const bad = await ro.call("show_history", { sessionId: id("a"), cursor: "garbage" });
    expect(bad.isError).toBe(true);
    expect((await ro.call("list_sessions", { pattern: `${prefix}-a` })).isError).toBeFalsy();
  });

  it("a write tool called without --allow-writes is refused and writes nothing", async () => {
    const calls: [string, Record<string, unknown>][] = [
      ["append_message", { sessionId: id("ro"), content: "hi" }],
      ["set_ttl", { sessionIds: [id("a")], ttl: "1s" }],
      ["trim_session", { sessionId: id("a"), keep: 1 }],
      ["clear_sessions", { sessionIds: [id("a")] }],
      ["repair_session", { sessionIds: [id("a")] }],
      ["store_summary", { sessionId: id("a"), keep: 0 }],
    ];
    const before = await app.lrange(id("a"), 0, -1);
    for (const [name, args] of calls) {
      const r = await ro.call(name, args);
      expect(r.isError).toBe(true);
      expect(errorText(r)).toMatch(/writes are off: nothing was written\n.*--allow-writes/);
    }
    expect(await app.exists(id("ro"))).toBe(0);
    expect(await app.lrange(id("a"), 0, -1)).toEqual(before);
    expect(await app.ttl(id("a"))).toBeGreaterThan(3000);
    expect(fs.existsSync(`${ro.configDir}/backups`)).toBe(false);
  });

  it("append_message stores what append does, and LangChain reads it back", async () => {
    const r = await rw.call("append_message", { sessionId: id("new"), content: "I prefer window seats", ttl: "1h" });
    const cliRun = JSON.parse(
      (await cli(["append", id("new2"), "I prefer window seats", "--ttl", "1h", "--json"])).stdout,
    );
    expect(Object.keys(r.structuredContent!).sort()).toEqual(Object.keys(cliRun).sort());
    expect(r.structuredContent).toMatchObject({ sessionId: id("new"), key: id("new"), count: 1, applied: true });
    await rw.call("append_message", { sessionId: id("new"), content: "Noted.", role: "assistant" });
    const [mine, theirs] = await Promise.all([app.lrange(id("new"), 0, -1), app.lrange(id("new2"), 0, -1)]);
    const shape = (e: string) => {
      const m = JSON.parse(e);
      delete m.data.id;
      return m;
    };
    expect(shape(mine[1])).toEqual(shape(theirs[0]));
    const { restUrl, restToken } = stack();
    const history = new UpstashRedisChatMessageHistory({
      sessionId: id("new"),
      config: { url: restUrl, token: restToken },
    });
    const messages = await history.getMessages();
    expect(messages.map((m) => [m._getType(), m.content])).toEqual([
      ["human", "I prefer window seats"],
      ["ai", "Noted."],
    ]);
    const empty = await rw.call("append_message", { sessionId: id("new"), content: "" });
    expect(empty.isError).toBe(true);
    expect(await app.llen(id("new"))).toBe(2);
  });

  it("set_ttl, repair_session, store_summary and clear_sessions do what their commands do, backups first", async () => {
    const ttl = await rw.call("set_ttl", { sessionIds: [id("b"), id("gone")], ttl: "2h" });
    expect(ttl.isError).toBe(true); // one of them does not exist, as expire exits 3
    expect(ttl.structuredContent!.sessions).toEqual([
      { sessionId: id("b"), key: id("b"), status: "ok", ttlSeconds: 7200 },
      { sessionId: id("gone"), key: id("gone"), status: "missing", ttlSeconds: null },
    ]);
    expect(await app.ttl(id("b"))).toBeGreaterThan(7000);

    // repair: the dry run as repair --dry-run --json says it; the real run removes the broken element.
    const broken = [humanElement("one"), "plain text, not JSON", '{"type":"human"}', aiElement("two")];
    await writeConversation(app, id("broken"), broken);
    const dry = JSON.parse((await cli(["repair", id("broken"), "--dry-run", "--json"])).stdout);
    expect((await rw.call("repair_session", { sessionIds: [id("broken")], dryRun: true })).structuredContent).toEqual(
      dry,
    );
    expect(await app.llen(id("broken"))).toBe(4);
    const fixed = await rw.call("repair_session", { sessionIds: [id("broken")] });
    const backup = fixed.structuredContent!.backup as string;
    expect(fs.readFileSync(backup, "utf8")).toContain("plain text, not JSON");
    expect(await app.llen(id("broken"))).toBeLessThan(4);
    expect(errorText(fixed)).toContain(backup);

    // store_summary: what summarize --store --yes --json does to an identical session.
    const convo = [
      humanElement("I need a hotel in Lisbon for May."),
      aiElement("Which dates?"),
      humanElement("May 3 to 7."),
      aiElement("Booked."),
    ];
    await writeConversation(app, id("sum1"), convo);
    await writeConversation(app, id("sum2"), convo);
    const viaCli = JSON.parse(
      (await cli(["summarize", id("sum2"), "--store", "--keep", "1", "--yes", "--json"])).stdout,
    );
    const viaTool = await rw.call("store_summary", { sessionId: id("sum1"), keep: 1 });
    const { backup: summaryBackup, ...rest } = viaTool.structuredContent!;
    expect({ ...rest, sessionId: id("sum2") }).toEqual(viaCli);
    expect(fs.existsSync(summaryBackup as string)).toBe(true);
    // The same elements, but for the summary's own id and time.
    const stable = (elements: string[]) =>
      elements.map((e) => e.replace(/"id":"[^"]+"/, "").replace(/"summarized_at":"[^"]+"/, ""));
    expect(stable(await app.lrange(id("sum1"), 0, -1))).toEqual(stable(await app.lrange(id("sum2"), 0, -1)));

    // clear: always a backup, which names the path and holds what was deleted.
    const cleared = await rw.call("clear_sessions", { sessionIds: [id("c")] });
    expect(cleared.structuredContent).toMatchObject({
      deleted: [{ sessionId: id("c"), key: id("c"), count: 2 }],
      changed: [],
      missing: [],
    });
    const file = cleared.structuredContent!.backup as string;
    expect(errorText(cleared)).toContain(file);
    expect(fs.readFileSync(file, "utf8")).toContain("Vouchers never expire.");
    expect(await app.exists(id("c"))).toBe(0);
    const again = await rw.call("clear_sessions", { sessionIds: [id("c")] });
    expect(again.isError).toBe(true);
    const refused = await rw.call("clear_sessions", { sessionIds: [id("str")] });
    expect(refused.isError).toBe(true);
    expect(errorText(refused)).toContain("is a string, not a chat history: not deleting it");
    expect(await app.get(id("str"))).toBe("not a list");
  });

  it("trim_session and show_history's maxTokens answer what trim --json and history show --max-tokens --json do", async () => {
    const convo = Array.from({ length: 12 }, (_, i) =>
      i % 2 ? aiElement(`answer number ${i} with a few more words`) : humanElement(`question ${i}`),
    );
    await writeConversation(app, id("t1"), convo);
    await writeConversation(app, id("t2"), convo);
    const shown = JSON.parse(
      (await cli(["history", "show", id("t1"), "--tokens", "--max-tokens", "60", "--json"])).stdout,
    );
    const r = await ro.call("show_history", { sessionId: id("t1"), maxTokens: 60 });
    const s = r.structuredContent!;
    expect(s.tokens).toEqual(shown.tokens);
    expect(s.window).toEqual(shown.window);
    const seen = shown.messages.filter((m: { index: number }) => m.index >= shown.window.firstSeen);
    expect(s.messages).toEqual(seen);
    expect(seen.length).toBeLessThan(12);
    const dry = JSON.parse((await cli(["trim", id("t2"), "--keep", "4", "--dry-run", "--json"])).stdout);
    expect((await rw.call("trim_session", { sessionId: id("t1"), keep: 4, dryRun: true })).structuredContent).toEqual({
      ...dry,
      trimmed: dry.trimmed.map((x: { sessionId: string }) => ({ ...x, sessionId: id("t1") })),
    });
    expect(await app.llen(id("t1"))).toBe(12);
    const viaCli = JSON.parse((await cli(["trim", id("t2"), "--keep", "4", "--yes", "--json"])).stdout);
    const viaTool = await rw.call("trim_session", { sessionId: id("t1"), keep: 4 });
    const { backup, ...rest } = viaTool.structuredContent!;
    expect(rest).toEqual({ ...viaCli, trimmed: viaCli.trimmed.map((x: object) => ({ ...x, sessionId: id("t1") })) });
    expect(fs.readFileSync(backup as string, "utf8")).toContain("question 0");
    expect(await app.lrange(id("t1"), 0, -1)).toEqual(await app.lrange(id("t2"), 0, -1));
    expect(await app.llen(id("t1"))).toBe(4);
  });

  it("the resource template lists sessions and reads one as markdown", async () => {
    const { resourceTemplates } = await ro.client.listResourceTemplates();
    expect(resourceTemplates.map((x) => x.uriTemplate)).toContain("memory://sessions/{sessionId}");
    const { resources } = await ro.client.listResources();
    expect(resources.length).toBeGreaterThan(0);
    expect(resources.length).toBeLessThanOrEqual(100);
    const uri = `memory://sessions/${encodeURIComponent(id("a"))}`;
    const { contents } = await ro.client.readResource({ uri });
    const text = (contents[0] as { text: string }).text;
    expect(text).toContain(`# Session ${id("a")}`);
    expect(text).toContain("Order 1234 shipped on Monday");
    await expect(ro.client.readResource({ uri: `memory://sessions/${id("nope")}` })).rejects.toThrow(/no session/);
  });

  it("hostile content is shown sanitised", async () => {
    const hostile = "evil \u001b]0;pwned\u0007 \u001b[2J\u009b31m red \u202eesrever\u202c \u0000 end";
    await writeConversation(app, id("hostile"), [humanElement(hostile)]);
    const r = await ro.call("show_history", { sessionId: id("hostile") });
    expect((r.structuredContent!.messages as { content: string }[])[0].content).toBe(hostile);
    expect(r.content[0].text).toContain("evil ␛]0;pwned␇");
    const listed = await ro.call("list_sessions", { pattern: id("hostile") });
    expect(listed.content[0].text).toContain("evil");
    const { contents } = await ro.client.readResource({ uri: `memory://sessions/${id("hostile")}` });
    expect((contents[0] as { text: string }).text).not.toMatch(UNSAFE);
    for (const a of [...ro.answers, ...rw.answers]) for (const c of a.content) expect(c.text).not.toMatch(UNSAFE);
  });

  it("pages a 5,000-message history within the answer limit", { timeout: 180_000 }, async () => {
    const key = id("long");
    const entries: [string, string][] = [];
    for (let i = 1; i <= 5000; i++)
      entries.push([key, i % 2 ? humanElement(`question ${i} ${"x".repeat(i % 50)}`) : aiElement(`answer ${i}`)]);
    await lpushMany(app, entries);
    const expected = JSON.parse((await cli(["history", "show", key, "--json"])).stdout);
    const messages: unknown[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const r = await ro.call("show_history", { sessionId: key, ...(cursor ? { cursor } : {}) });
      pages++;
      messages.push(...(r.structuredContent!.messages as unknown[]));
      cursor = r.structuredContent!.nextCursor as string | undefined;
      if (cursor)
        expect(r.content[0].text).toMatch(
          /This is one page: [\d,]+ messages more\. For the next page call again with cursor/,
        );
    } while (cursor && pages < 1000);
    expect(pages).toBeGreaterThan(10);
    expect(messages).toEqual(expected.messages);
    const last = await ro.call("show_history", { sessionId: key, last: 10 });
    expect((last.structuredContent!.messages as { index: number }[]).map((m) => m.index)).toEqual(
      Array.from({ length: 10 }, (_, i) => 4991 + i),
    );
  });
});

describe("mcp without a reachable store", () => {
  it("reports a broken connection per call and keeps running", async () => {
    const s = await startServer(
      { UPSTASH_REDIS_REST_URL: "http://127.0.0.1:9", UPSTASH_REDIS_REST_TOKEN: "x".repeat(40) },
      ["--timeout", "2s"],
    );
    try {
      const first = await s.call("list_sessions");
      expect(first.isError).toBe(true);
      expect(errorText(first)).toMatch(/127\.0\.0\.1:9/);
      expect(errorText(first)).not.toContain("x".repeat(40));
      const again = await s.call("show_history", { sessionId: "any" });
      expect(again.isError).toBe(true);
      expect((await s.client.listTools()).tools.length).toBe(READ_TOOLS.length);
    } finally {
      await s.close();
    }
  });

  it("without any connection configured, each call says what sessions list says", async () => {
    const s = await startServer({});
    try {
      const cli = await runCli(["sessions", "list", "--json"], { configDir: s.configDir });
      expect(cli.code).toBe(4);
      const r = await s.call("list_sessions");
      expect(r.isError).toBe(true);
      expect(errorText(r)).toBe(cliMessage(cli.stderr));
    } finally {
      await s.close();
    }
  });
});
