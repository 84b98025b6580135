// What doctor, history show, append and expire say about Flowise, held to
// what Flowise does: LangChain JS's real reader and writer
// (UpstashRedisChatMessageHistory, which Flowise 3.1.4's Upstash memory node
// reads and writes the same way) through the local endpoint, and Flowise's
// chat-view conversion copied in test/harness/flowise-view.ts.
import { randomUUID } from "node:crypto";
import { UpstashRedisChatMessageHistory } from "@langchain/community/stores/message/upstash_redis";
import { HumanMessage } from "@langchain/core/messages";
import { Redis as IORedis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, tempConfigDir, type RunResult } from "../harness/cli.js";
import { aiElement, humanElement } from "../harness/fixtures.js";
import { convertBaseMessagetoIMessage } from "../harness/flowise-view.js";
import { startIsolatedStack, stack, type IsolatedStack } from "../harness/stack.js";
import { appOn, cliOn, TRANSPORTS, writeConversation, type TransportName } from "../harness/transports.js";

interface Check {
  id: string;
  status: string;
  message: string;
  hint?: string;
  elements?: { index: number }[];
}

const human = humanElement;
const ai = aiElement;
const generic = (content: string) =>
  JSON.stringify({ type: "generic", data: { content, role: "critic", additional_kwargs: {}, response_metadata: {} } });

const checksOf = (r: RunResult): Check[] => (JSON.parse(r.stdout) as { checks: Check[] }).checks;
const all = (checks: Check[], id: string) => checks.filter((c) => c.id === id);
const one = (checks: Check[], id: string): Check => {
  const found = all(checks, id);
  expect(found.map((c) => c.id)).toEqual([id]);
  return found[0];
};

/** LangChain JS's reader on the shared endpoint, as Flowise's node builds it. */
function history(sessionId: string, sessionTTL?: number): UpstashRedisChatMessageHistory {
  const { restUrl, restToken } = stack();
  return new UpstashRedisChatMessageHistory({ sessionId, sessionTTL, config: { url: restUrl, token: restToken } });
}

const newId = (label: string) => `t-flowise-${label}-${randomUUID().slice(0, 8)}`;

describe.each(["rest", "redis"] as TransportName[])("Flowise's two views over %s", (transport) => {
  const cli = cliOn(transport);
  const app = appOn(transport);

  it("doctor names what the chat view leaves out (warn), apart from what breaks loading (fail)", async () => {
    const id = newId("view");
    await writeConversation(app, id, [human("weather?"), ai("let me check")]);
    const appended = await cli(["append", id, "18°C", "--role", "tool", "--tool-call-id", "call_1"]);
    expect(appended.code).toBe(0);
    await writeConversation(app, id, [generic("too long"), ai("18°C, sunny")]);

    // What Flowise's chat view shows: the real reader, then Flowise's conversion, message by message.
    const loaded = await history(id).getMessages();
    expect(loaded).toHaveLength(5);
    const hidden = loaded.flatMap((m, i) => (convertBaseMessagetoIMessage([m]).length ? [] : [i + 1]));
    expect(hidden).toEqual([3, 4]);

    const r = await cli(["doctor", id, "--json"]);
    expect(r.code).toBe(0);
    const checks = checksOf(r);
    expect(one(checks, "content.breaks-load").status).toBe("pass");
    expect(one(checks, "content.invisible")).toMatchObject({ status: "pass" });
    const view = one(checks, "content.flowise-chat-view");
    expect(view.status).toBe("warn");
    expect(view.elements?.map((e) => e.index)).toEqual(hidden);
    expect(view.message).toContain("leaves out messages 3 and 4 (tool, generic)");

    // An element that breaks loading is a failure of its own; the chat view then shows nothing to compare.
    await app.lpush(id, '{"type":"tool","data":{"content":"no tool_call_id"}}');
    await expect(history(id).getMessages()).rejects.toThrow(/Tool call ID must be defined/);
    const broken = checksOf(await cli(["doctor", id, "--json"]));
    expect(one(broken, "content.breaks-load").status).toBe("fail");
    expect(all(broken, "content.flowise-chat-view")).toEqual([]);
    await app.del(id);
  });

  it("doctor passes the chat view when every loaded message shows, system ones as the bot's", async () => {
    const id = newId("shown");
    const system = JSON.stringify({ type: "system", data: { content: "be brief" } });
    await writeConversation(app, id, [system, human("hi"), ai("hello")]);
    const loaded = await history(id).getMessages();
    expect(convertBaseMessagetoIMessage(loaded).map((m) => m.type)).toEqual([
      "apiMessage",
      "userMessage",
      "apiMessage",
    ]);
    const view = one(checksOf(await cli(["doctor", id, "--json"])), "content.flowise-chat-view");
    expect(view).toMatchObject({
      status: "pass",
      message:
        "Flowise's chat view (getChatMessages → convertBaseMessagetoIMessage) shows all 3 loaded messages; system messages as the bot's (apiMessage)",
    });
    await app.del(id);
  });

  it("append --role tool says Flowise's chat view will not show it; other roles and Python keys say nothing", async () => {
    const id = newId("note");
    const tool = await cli(["append", id, "42", "--role", "tool", "--tool-call-id", "c1"]);
    expect(tool.code).toBe(0);
    expect(tool.stderr).toContain(
      "note: if Flowise reads this session, its chat view (the chat UI and the API's history: getChatMessages) will not show this tool message, as it shows human, ai, system messages only; its agents and chains still read it",
    );
    const json = await cli([
      "append",
      id,
      "--message-json",
      '{"type":"tool","data":{"content":"x","tool_call_id":"c2"}}',
    ]);
    expect(json.stderr).toContain("will not show this tool message");
    const assistant = await cli(["append", id, "ok", "--role", "assistant"]);
    expect(assistant.stderr).not.toContain("note:");
    const python = await cli([
      "append",
      id,
      "42",
      "--role",
      "tool",
      "--tool-call-id",
      "c1",
      "--prefix",
      "message_store:",
    ]);
    expect(python.stderr).not.toContain("note:");
    // The note matches what Flowise's chat view does with the stored elements.
    const shown = convertBaseMessagetoIMessage(await history(id).getMessages());
    expect(shown).toEqual([{ message: "ok", type: "apiMessage" }]);
    await app.del(id, `message_store:${id}`);
  });
});

describe.each(TRANSPORTS)("{type: ai, data: {content: null}} over %s", (transport) => {
  const cli = cliOn(transport);
  const app = appOn(transport);

  it("history show shows it as an assistant message with empty content and a note", async () => {
    const id = newId("null");
    await writeConversation(app, id, [human("hi"), '{"type":"ai","data":{"content":null}}']);
    if (transport !== "cluster") {
      // LangChain loads it: an AIMessage whose content is [].
      const loaded = await history(id).getMessages();
      expect(loaded.map((m) => [m._getType(), m.content])).toEqual([
        ["human", "hi"],
        ["ai", []],
      ]);
    }
    const r = await cli(["history", "show", id, "--json"]);
    expect(r.code).toBe(0);
    const messages = (JSON.parse(r.stdout) as { messages: Record<string, unknown>[] }).messages;
    expect(messages[1]).toMatchObject({
      index: 2,
      role: "assistant",
      type: "ai",
      content: "",
      notes: ["data.content is null: LangChain JS and Flowise load it as empty content ([])"],
    });
    expect(messages[1].problem).toBeUndefined();
    expect(r.stderr).toContain(
      "note: message 2: data.content is null: LangChain JS and Flowise load it as empty content ([])",
    );
    const doctor = checksOf(await cli(["doctor", id, "--json"]));
    expect(one(doctor, "content.invisible").status).toBe("pass");
    await app.del(id);
  });

  it("history show notes a message the reader cannot load (a tool message without tool_call_id)", async () => {
    const id = newId("notool");
    await writeConversation(app, id, [human("hi"), '{"type":"tool","data":{"content":"42"}}']);
    const r = await cli(["history", "show", id, "--json"]);
    const messages = (JSON.parse(r.stdout) as { messages: Record<string, unknown>[] }).messages;
    expect(messages[1]).toMatchObject({
      role: "tool",
      notes: [
        "LangChain JS / Flowise cannot load the session because of it (Error: Tool call ID must be defined for tool messages)",
      ],
    });
    await app.del(id);
  });
});

describe("the TTL: what an app does with it, as doctor and expire say", () => {
  const cli = cliOn("rest");
  const app = appOn("rest");

  it("an app with its own timeout sets its value at its next message (undoing expire and --persist); one without leaves it; reads never touch it", async () => {
    const id = newId("ttl");
    await writeConversation(app, id, [human("hi"), ai("hello")]);
    const set = await cli(["expire", id, "1h"]);
    expect(set.code).toBe(0);
    expect(set.stderr).toContain(
      "note: an app with its own timeout (Flowise's Session Timeout, LangChain's sessionTTL) overrides this TTL at its next message; an app without one leaves it as set",
    );
    // Reads never touch it.
    await history(id, 300).getMessages();
    expect(await app.ttl(id)).toBeGreaterThan(3500);
    // Without a timeout, a new message leaves it counting down.
    await history(id).addMessage(new HumanMessage("no timeout"));
    expect(await app.ttl(id)).toBeGreaterThan(3500);
    let checks = checksOf(await cli(["doctor", id, "--json"]));
    expect(one(checks, "health.ttl").message).toMatch(
      /^expires in (1h|59m \d+s): a message stored by an app with its own timeout sets it back to that app's value, one stored by an app without leaves it counting down; reads never touch it$/,
    );
    // With one, the next message sets the app's own value: `expire 1h` is gone.
    await history(id, 300).addMessage(new HumanMessage("timeout 300"));
    expect(await app.ttl(id)).toBeLessThanOrEqual(300);
    // --persist is undone the same way.
    const persist = await cli(["expire", id, "--persist"]);
    expect(persist.stderr).toContain("overrides this TTL at its next message, which undoes --persist");
    expect(await app.ttl(id)).toBe(-1);
    checks = checksOf(await cli(["doctor", id, "--json"]));
    expect(one(checks, "health.ttl").message).toContain("no TTL: kept until deleted.");
    await history(id, 300).addMessage(new HumanMessage("again"));
    expect(await app.ttl(id)).toBeLessThanOrEqual(300);
    expect(await app.ttl(id)).toBeGreaterThan(0);
    await app.del(id);
  });

  it("expire --help says so", async () => {
    const r = await cli(["expire", "--help"]);
    expect(r.stdout).toContain(
      "An app with its own timeout (Flowise's Session Timeout, LangChain's sessionTTL)\noverrides this TTL at its next message; an app without one leaves it as set.",
    );
  });
});

describe.each(["rest", "redis"] as TransportName[])("the empty session id over %s", (transport) => {
  let iso: IsolatedStack;
  let isoApp: IORedis;
  beforeAll(async () => {
    iso = await startIsolatedStack();
    isoApp = new IORedis(iso.redisUrl);
  });
  afterAll(async () => {
    isoApp.disconnect();
    await iso.close();
  });
  const cli = (args: string[]) =>
    runCli(args, {
      configDir: tempConfigDir(),
      env:
        transport === "rest"
          ? { UPSTASH_REDIS_REST_URL: iso.restUrl, UPSTASH_REDIS_REST_TOKEN: iso.restToken }
          : { UPSTASH_REDIS_REST_URL: iso.redisUrl },
    });

  it("is accepted where given, and doctor fails on a history there, with or without an id", async () => {
    await writeConversation(isoApp, "user-1", [human("mine"), ai("yours")]);
    // Nothing at the empty key: no finding.
    expect(all(checksOf(await cli(["doctor", "--json"])), "key.empty-session-id")).toEqual([]);
    await writeConversation(isoApp, "", [human("shared"), ai("by all")]);

    const show = await cli(["history", "show", "", "--json"]);
    expect(show.code).toBe(0);
    expect(JSON.parse(show.stdout)).toMatchObject({ sessionId: "", key: "", count: 2 });

    for (const args of [
      ["doctor", "--json"],
      ["doctor", "user-1", "--json"],
      ["doctor", "", "--json"],
    ]) {
      const r = await cli(args);
      expect({ args, code: r.code }).toEqual({ args, code: 1 });
      const c = one(checksOf(r), "key.empty-session-id");
      expect(c).toMatchObject({
        status: "fail",
        message:
          "the empty session id (key '') holds a chat history of 2 messages: every conversation stored without a session id shares this one memory, so users read and extend each other's history",
      });
      expect(c.hint).toContain("set the memory node's Session Id, or send `overrideConfig.sessionId`");
    }
    expect(one(checksOf(await cli(["doctor", "", "--json"])), "key.session")).toMatchObject({ status: "pass" });

    // sessions list and export show it under its id, the empty string.
    const list = JSON.parse((await cli(["sessions", "list", "--json"])).stdout) as { sessionId: string }[];
    expect(list.map((s) => s.sessionId).sort()).toEqual(["", "user-1"]);
    const exported = (await cli(["export", ""])).stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(exported).toMatchObject([{ key: "", sessionId: "", elements: [ai("by all"), human("shared")] }]);

    const expire = await cli(["expire", "", "1h"]);
    expect(expire.code).toBe(0);
    expect(await isoApp.ttl("")).toBeGreaterThan(3500);

    // A new message there would join every id-less conversation: refused, nothing written.
    const append = await cli(["append", "", "hello"]);
    expect(append.code).toBe(2);
    expect(append.stderr).toContain("the session id is empty");
    expect(await isoApp.llen("")).toBe(2);
    const blank = await cli(["history", "show", "  "]);
    expect(blank.code).toBe(2);
    expect(blank.stderr).toContain("the session id is only whitespace");

    const clear = await cli(["clear", "", "--yes"]);
    expect(clear.code).toBe(0);
    expect(await isoApp.exists("")).toBe(0);
    expect(await isoApp.exists("user-1")).toBe(1);
    await isoApp.del("user-1");
  });
});

describe("two session ids in one Flowise node", () => {
  const cli = cliOn("rest");
  const app = appOn("rest");

  it("doctor ID --flowise-session-id NAME (or the profile's) says which key each path reads", async () => {
    const id = newId("chat");
    const node = newId("node");
    await writeConversation(app, id, [human("hi"), ai("hello")]);
    await writeConversation(app, node, [human("old")]);
    const r = await cli(["doctor", id, "--flowise-session-id", node, "--json"]);
    const c = one(checksOf(r), "key.session-ids");
    expect(c.status).toBe("info");
    expect(c.message).toBe(
      `two session ids in one Flowise node: getChatMessages and addChatMessages (the chat view, agents and chains) read and write key '${id}', the override the server passes; the LangChain memory the node wraps, built at init from the node's Session Id, reads key '${node}' (which holds 1 message) in loadMemoryVariables`,
    );
    expect(c.hint).toContain("only the Mem0 and Zep nodes call it");

    // From the profile, and the same id: one key for every path.
    const dir = tempConfigDir();
    const { restUrl, restToken } = stack();
    await runCli(["login", "--url", restUrl, "--token", restToken], { configDir: dir });
    expect((await runCli(["config", "set", "flowise.sessionId", id], { configDir: dir })).code).toBe(0);
    const same = one(checksOf(await runCli(["doctor", id, "--json"], { configDir: dir })), "key.session-ids");
    expect(same).toMatchObject({
      status: "pass",
      message: `the Flowise node's Session Id is this session's id: getChatMessages/addChatMessages and the LangChain memory the node wraps all use key '${id}'`,
    });
    // The node's empty Session Id, given explicitly.
    const empty = one(checksOf(await cli(["doctor", id, "--flowise-session-id", "", "--json"])), "key.session-ids");
    expect(empty.message).toContain("reads key '' (which does not exist)");
    // Without either, nothing is said.
    expect(all(checksOf(await cli(["doctor", id, "--json"])), "key.session-ids")).toEqual([]);
    await app.del(id, node);
  });
});
