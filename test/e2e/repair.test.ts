// repair, end to end on both transports: afterwards LangChain's real reader
// loads the session, every good message is still there in order, and the
// backup restores the original bytes; a writer appending during the repair
// loses nothing; a lost response is applied once.
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { UpstashRedisChatMessageHistory } from "@langchain/community/stores/message/upstash_redis";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Redis as IORedis } from "ioredis";
import {
  appOn,
  appRedis,
  cliOn,
  delKeys,
  keysOn,
  lrangeBytes,
  TRANSPORTS,
  writeConversation,
} from "../harness/transports.js";
import { HOSTILE_SHAPES } from "../harness/fixtures.js";
import { aiElement, humanElement } from "../harness/fixtures.js";
import { stack } from "../harness/stack.js";
import { runCli } from "../harness/cli.js";
import { startFaultProxy, type FaultProxy } from "../harness/fault-proxy.js";
import { runInPty, screenLines } from "../harness/pty.js";
import { connectionEnv } from "../harness/transports.js";

interface ChangeJson {
  index: number;
  action: "remove" | "unwrap";
  problem: string;
  readers: Record<string, string>;
  replacement?: string;
}
interface SessionJson {
  sessionId: string;
  count: number;
  changes: ChangeJson[];
  status?: string;
  length?: number;
}

let app: IORedis;
beforeAll(() => {
  app = appRedis();
});
afterAll(() => app.quit());

const human = humanElement;
const ai = aiElement;
const doubleEncoded = JSON.stringify(human("I was encoded twice"));
const tmpFile = (name: string) => path.join(fs.mkdtempSync(path.join(os.tmpdir(), "um-repair-")), name);
const bytes = (e: string | Buffer) => (Buffer.isBuffer(e) ? e : Buffer.from(e, "utf8"));

function reader(sessionId: string): UpstashRedisChatMessageHistory {
  const { restUrl, restToken } = stack();
  return new UpstashRedisChatMessageHistory({ sessionId, config: { url: restUrl, token: restToken } });
}

async function loads(sessionId: string): Promise<string[] | "throws"> {
  try {
    return (await reader(sessionId).getMessages()).map((m) =>
      typeof m.content === "string" ? m.content : JSON.stringify(m.content),
    );
  } catch {
    return "throws";
  }
}

/** What the list must hold after the changes reported, newest first, as LRANGE returns it. */
function expectedAfter(oldestFirst: (string | Buffer)[], changes: ChangeJson[]): Buffer[] {
  const byIndex = new Map(changes.map((c) => [c.index, c]));
  const kept: Buffer[] = [];
  oldestFirst.forEach((e, i) => {
    const c = byIndex.get(i + 1);
    if (!c) kept.push(bytes(e));
    else if (c.action === "unwrap") kept.push(Buffer.from(c.replacement!, "utf8"));
  });
  return kept.reverse();
}

/**
 * LangChain's reader speaks REST, and the endpoint fronts the single Redis: a
 * cluster's session is copied there, bytes as they are, and read from there.
 */
async function loadsFrom(cluster: IORedis, sessionId: string): Promise<string[] | "throws"> {
  const copy = `copy-${randomUUID()}`;
  const elements = await cluster.lrangeBuffer(sessionId, 0, -1);
  if (elements.length) await app.rpush(copy, ...elements);
  try {
    return await loadsFromRest(copy);
  } finally {
    await app.del(copy);
  }
}
const loadsFromRest = loads;

describe.each(TRANSPORTS)("repair over %s", (transport) => {
  const cli = cliOn(transport);
  const app = appOn(transport);
  const cluster = transport === "cluster" ? app : undefined;
  const loads = (id: string) => (cluster ? loadsFrom(cluster, id) : loadsFromRest(id));

  it("a session that breaks loading loads again, every good message kept in order; the backup restores the original bytes", async () => {
    const id = `repair-${randomUUID().slice(0, 8)}`;
    const good = HOSTILE_SHAPES.map((_, i) => (i % 2 ? ai(`answer ${i}`) : human(`question ${i}`)));
    // Oldest first: each hostile shape after a good message.
    const oldestFirst = HOSTILE_SHAPES.flatMap((s, i) => [good[i], s.element]);
    await writeConversation(app, id, oldestFirst, 3600);
    const original = await lrangeBytes(app, id);
    expect(await loads(id)).toBe("throws");

    const backup = tmpFile("before.jsonl");
    const r = await cli(["repair", id, "--yes", "--backup", backup, "--json"]);
    expect(r.code).toBe(0);
    const [session] = (JSON.parse(r.stdout) as { sessions: SessionJson[] }).sessions;
    expect(session.status).toBe("repaired");
    // Only elements that break the JS reader are touched; each stands where a hostile shape stood.
    expect(session.changes.length).toBeGreaterThan(0);
    for (const c of session.changes) {
      expect(c.readers["langchain-js"]).toBe("breaks");
      expect(c.index % 2).toBe(0);
    }
    expect(await lrangeBytes(app, id)).toEqual(expectedAfter(oldestFirst, session.changes));
    const loaded = await loads(id);
    expect(loaded).not.toBe("throws");
    // Every good message, in order (the elements the reader accepts in between may load too).
    const goodLoaded = (loaded as string[]).filter((c) => /^(question|answer) \d+$/.test(c));
    expect(goodLoaded).toEqual(good.map((g) => JSON.parse(g).data.content));
    expect(await app.ttl(id)).toBeGreaterThan(3500);
    expect(r.stderr).toContain(`undo: upstash-memory import --replace ${backup}`);
    // doctor agrees: nothing breaks loading any more (what the reader drops is still reported).
    const doctor = JSON.parse((await cli(["doctor", id, "--json"])).stdout) as {
      checks: { id: string; status: string; hint: string | null }[];
    };
    expect(doctor.checks.find((c) => c.id === "content.breaks-load")?.status).toBe("pass");
    expect(doctor.checks.find((c) => c.id === "content.invisible")?.hint).toContain(
      `upstash-memory repair ${id} --invisible`,
    );

    // Repairing again finds nothing to do.
    const again = await cli(["repair", id, "--yes", "--json"]);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ sessions: [], clean: [id] });

    // The backup is the session as it was: import --replace gives back the same bytes.
    const undo = await cli(["import", backup, "--replace", "--yes"]);
    expect(undo.code).toBe(0);
    expect(await lrangeBytes(app, id)).toEqual(original);
    await app.del(id);
  });

  it("--invisible also takes out what the reader drops; a message encoded twice is unwrapped, not removed", async () => {
    const id = `repair-inv-${randomUUID().slice(0, 8)}`;
    const oldestFirst = [human("hello"), doubleEncoded, "plain text", ai("world")];
    await writeConversation(app, id, oldestFirst);
    expect(await loads(id)).toEqual(["hello", "world"]);
    const plain = await cli(["repair", id, "--yes", "--json"]);
    expect(JSON.parse(plain.stdout)).toMatchObject({ sessions: [], clean: [id] });
    expect(plain.stderr).toContain("--invisible");

    const r = await cli(["repair", id, "--invisible", "--yes", "--json"]);
    expect(r.code).toBe(0);
    const [session] = (JSON.parse(r.stdout) as { sessions: SessionJson[] }).sessions;
    expect(session.changes.map((c) => [c.index, c.action, c.problem])).toEqual([
      [2, "unwrap", "JSON in a string"],
      [3, "remove", "not JSON"],
    ]);
    expect(await loads(id)).toEqual(["hello", "I was encoded twice", "world"]);
    await app.del(id);
  });

  it("--dry-run lists exactly what the real run then does, and changes nothing", async () => {
    const id = `repair-dry-${randomUUID().slice(0, 8)}`;
    const oldestFirst = [human("a"), "null", doubleEncoded, '{"type":"robot","data":{"content":"x"}}', "42", ai("b")];
    await writeConversation(app, id, oldestFirst);
    const before = await lrangeBytes(app, id);
    const dry = await cli(["repair", id, "--invisible", "--dry-run", "--json"]);
    expect(dry.code).toBe(0);
    const planned = JSON.parse(dry.stdout) as { dryRun: boolean; sessions: SessionJson[] };
    expect(planned.dryRun).toBe(true);
    expect(await lrangeBytes(app, id)).toEqual(before);
    const text = await cli(["repair", id, "--invisible", "--dry-run"]);
    expect(
      text.stdout
        .trimEnd()
        .split("\n")
        .map((l) => l.split("\t").slice(0, 4)),
    ).toEqual([
      [id, "2", "remove", "not an object"],
      [id, "3", "unwrap", "JSON in a string"],
      [id, "4", "remove", "unknown type"],
      [id, "5", "remove", "not an object"],
    ]);
    expect(text.stderr).toContain(`would repair session '${id}': remove 3 elements and unwrap 1 element`);
    const real = await cli(["repair", id, "--invisible", "--yes", "--json", "--stats"]);
    const done = JSON.parse(real.stdout) as { sessions: SessionJson[] };
    // The budget the README gives: resolve the target, read it, one script.
    expect(real.stderr).toMatch(/stats: 3 (HTTP requests|round trips), 8 Redis commands/);
    expect(done.sessions.map(({ status, length, ...rest }) => rest)).toEqual(planned.sessions);
    expect(await lrangeBytes(app, id)).toEqual(expectedAfter(oldestFirst, planned.sessions[0].changes));
    await app.del(id);
  });

  it("asks on a terminal only: without --yes when piped it refuses (exit 2) and changes nothing", async () => {
    const id = `repair-ask-${randomUUID().slice(0, 8)}`;
    await writeConversation(app, id, [human("a"), "null", ai("b")]);
    const before = await lrangeBytes(app, id);
    const r = await cli(["repair", id]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/refusing to repair session '.*': remove 1 element without confirmation/);
    expect(await lrangeBytes(app, id)).toEqual(before);
    await app.del(id);
  });

  it("exit codes: a missing session 3, a key of another type 1 (as everywhere), usage errors 2", async () => {
    const id = `repair-none-${randomUUID().slice(0, 8)}`;
    const missing = await cli(["repair", id, "--yes"]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain(`${id}: no such session`);
    await app.set(`${id}-str`, "x");
    expect((await cli(["repair", `${id}-str`, "--yes"])).code).toBe(1);
    expect((await cli(["repair", "--yes"])).code).toBe(2);
    expect((await cli(["repair", id, "--match", "x*", "--yes"])).code).toBe(2);
    expect(await app.get(`${id}-str`)).toBe("x");
    await app.del(`${id}-str`);
  });

  it("--match repairs every matching session that needs it and leaves the others alone", async () => {
    const base = `repair-m-${randomUUID().slice(0, 8)}`;
    await writeConversation(app, `${base}-1`, [human("a"), "null"]);
    await writeConversation(app, `${base}-2`, ['{"type":"human"}', ai("b")]);
    await writeConversation(app, `${base}-3`, [human("c"), ai("d")]);
    const clean = await lrangeBytes(app, `${base}-3`);
    const r = await cli(["repair", "--match", `${base}-*`, "--yes", "--json"]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { sessions: SessionJson[]; clean: string[] };
    expect(out.sessions.map((s) => [s.sessionId, s.status]).sort()).toEqual([
      [`${base}-1`, "repaired"],
      [`${base}-2`, "repaired"],
    ]);
    expect(out.clean).toEqual([`${base}-3`]);
    expect(await loads(`${base}-1`)).toEqual(["a"]);
    expect(await loads(`${base}-2`)).toEqual(["b"]);
    expect(await lrangeBytes(app, `${base}-3`)).toEqual(clean);
    await delKeys(app, `${base}-1`, `${base}-2`, `${base}-3`);
  });

  it("an app writing all along loses nothing", async () => {
    const id = `repair-busy-${randomUUID().slice(0, 8)}`;
    const oldestFirst = Array.from({ length: 5000 }, (_, i) =>
      i % 50 === 7 ? '{"type":"human"}' : i % 2 ? ai(`a${i}`) : human(`q${i}`),
    );
    await writeConversation(app, id, oldestFirst);
    const appended: string[] = [];
    let done = false;
    const running = cli(["repair", id, "--yes", "--json"]).finally(() => (done = true));
    // Bounded: stops when repair exits, or after 3,000 messages.
    for (let i = 0; !done && i < 3000; i++) {
      const m = human(`live ${i}`);
      await app.lpush(id, m);
      appended.push(m);
      await new Promise((r) => setTimeout(r, 2));
    }
    const r = await running;
    expect(r.code).toBe(0);
    const [session] = (JSON.parse(r.stdout) as { sessions: SessionJson[] }).sessions;
    // The app went on writing after the session was read.
    expect(session.count - oldestFirst.length).toBeLessThan(appended.length);
    expect((await lrangeBytes(app, id)).map(String)).toEqual(
      [...appended].reverse().concat(oldestFirst.filter((e) => e !== '{"type":"human"}').reverse()),
    );
    await app.del(id);
  });

  it("a key that is not UTF-8 is repaired in place, under its exact bytes", async () => {
    const prefix = `repair-bin-${randomUUID().slice(0, 8)}:`;
    const key = Buffer.concat([Buffer.from(prefix), Buffer.from("s"), Buffer.from([0xff, 0xfe])]);
    for (const e of [human("a"), "null", ai("b")]) await app.lpush(key, e);
    const backup = tmpFile("bin.jsonl");
    const r = await cli(["repair", "--match", "s*", "--prefix", prefix, "--yes", "--json", "--backup", backup]);
    expect(r.code).toBe(0);
    const [session] = JSON.parse(r.stdout).sessions;
    expect(session).toMatchObject({ sessionId: "s\\xff\\xfe", keyBase64: key.toString("base64"), status: "repaired" });
    expect((await lrangeBytes(app, key)).map(String)).toEqual([ai("b"), human("a")]);
    expect(await keysOn(app, `${prefix}*`, true)).toEqual([key]);
    expect((await cli(["import", backup, "--replace", "--yes"])).code).toBe(0);
    expect((await lrangeBytes(app, key)).map(String)).toEqual([ai("b"), "null", human("a")]);
    await app.del(key);
  });

  it("under message_store: it repairs for LangChain Python, which raises on what JS would drop", async () => {
    const id = `repair-py-${randomUUID().slice(0, 8)}`;
    const key = `message_store:${id}`;
    const py = (type: string, content: string) =>
      JSON.stringify({
        type,
        data: { content, additional_kwargs: {}, response_metadata: {}, type, name: null, id: null, example: false },
      });
    const oldestFirst = [
      py("human", "hi"),
      "plain text",
      '{"type":"generic","data":{"content":"x","role":"r"}}',
      doubleEncoded,
      py("ai", "hello"),
    ];
    await writeConversation(app, key, oldestFirst);
    const r = await cli(["repair", id, "--prefix", "message_store:", "--yes", "--json"]);
    expect(r.code).toBe(0);
    const [session] = (JSON.parse(r.stdout) as { sessions: SessionJson[] }).sessions;
    expect(session.changes.map((c) => [c.index, c.action])).toEqual([
      [2, "remove"],
      [3, "remove"],
      [4, "unwrap"],
    ]);
    expect((await lrangeBytes(app, key)).map(String)).toEqual([
      py("ai", "hello"),
      JSON.parse(doubleEncoded),
      py("human", "hi"),
    ]);
    const doctor = JSON.parse((await cli(["doctor", id, "--prefix", "message_store:", "--json"])).stdout) as {
      checks: { id: string; status: string }[];
    };
    expect(doctor.checks.filter((c) => c.id.startsWith("content.") && c.status === "fail")).toEqual([]);
    await app.del(key);
  });
});

describe("repair on a terminal", () => {
  it("shows each change, then asks; no changes nothing, yes repairs", async () => {
    const id = `repair-tty-${randomUUID().slice(0, 8)}`;
    await writeConversation(app, id, [human("a"), "null", ai("b")]);
    const before = await lrangeBytes(app, id);
    const env = connectionEnv("rest");
    const question = `repair session '${id}': remove 1 element?`;
    const no = await runInPty(["repair", id], [{ waitFor: question, send: "n\r" }], { env });
    expect(no.code).toBe(1);
    expect(no.screen).toContain(`${id}: remove message 2 (not an object)\r\n  'null'`);
    expect(await lrangeBytes(app, id)).toEqual(before);
    const yes = await runInPty(["repair", id], [{ waitFor: question, send: "y\r" }], { env });
    expect(yes.code).toBe(0);
    expect(yes.screen).toContain(`${id}: removed 1 element; 2 messages now`);
    expect(await loads(id)).toEqual(["a", "b"]);
    await app.del(id);
  });
});

describe("repair's confirmation", () => {
  it("fits 80 columns, however long the element", async () => {
    const id = `repair-wide-${randomUUID().slice(0, 8)}`;
    await writeConversation(app, id, [
      human("a"),
      JSON.stringify(["a stored string, not an object: ".repeat(8)]),
      ai("b"),
    ]);
    const question = `repair session '${id}': remove 1 element?`;
    const no = await runInPty(["repair", id, "--invisible"], [{ waitFor: question, send: "n\r" }], {
      env: connectionEnv("rest"),
      columns: 200,
    });
    expect(no.code).toBe(1);
    const lines = screenLines(no.screen).filter((l) => l.includes(id) || l.startsWith("  '"));
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const l of lines.filter((x) => !x.includes("?"))) expect(l.length).toBeLessThanOrEqual(80);
    expect(lines.some((l) => l.startsWith(`  '["a stored string, not an object`) && l.endsWith("…'"))).toBe(true);
    await app.del(id);
  });
});

describe("repair while the app writes, and under faults", () => {
  let proxy: FaultProxy;
  beforeAll(async () => {
    proxy = await startFaultProxy(stack().restUrl);
  });
  afterAll(() => proxy.close());
  beforeEach(() => proxy.plan([]));
  const viaProxy = (args: string[]) =>
    runCli(args, { env: { UPSTASH_REDIS_REST_URL: proxy.url, UPSTASH_REDIS_REST_TOKEN: stack().restToken } });
  /** Until the proxy has received `n` requests (bounded: 20 s). */
  async function requestsReached(n: number): Promise<void> {
    for (let i = 0; i < 400 && proxy.requests < n; i++) await new Promise((r) => setTimeout(r, 50));
    expect(proxy.requests).toBeGreaterThanOrEqual(n);
  }

  it("messages the app appends between the read and the script are all kept", async () => {
    const id = `repair-live-${randomUUID().slice(0, 8)}`;
    const oldestFirst = Array.from({ length: 300 }, (_, i) =>
      i % 10 === 5 ? "null" : i % 2 ? ai(`a${i}`) : human(`q${i}`),
    );
    await writeConversation(app, id, oldestFirst);
    // Requests: resolve the target, read it, then the script — held back 1.5 s while the app writes.
    proxy.plan([{ kind: "pass" }, { kind: "pass" }, { kind: "slow", ms: 1500 }]);
    proxy.requests = 0;
    const running = viaProxy(["repair", id, "--yes", "--json"]);
    await requestsReached(3);
    const appended: string[] = [];
    for (let i = 0; i < 40; i++) {
      const m = human(`live ${i}`);
      await app.lpush(id, m);
      appended.push(m);
      await new Promise((r) => setTimeout(r, 10));
    }
    const r = await running;
    expect(r.code).toBe(0);
    const [session] = (JSON.parse(r.stdout) as { sessions: SessionJson[] }).sessions;
    expect(session.status).toBe("repaired");
    expect(session.changes).toHaveLength(30);
    const after = (await lrangeBytes(app, id)).map(String);
    expect(after).toEqual([...appended].reverse().concat(oldestFirst.filter((e) => e !== "null").reverse()));
    expect(await loads(id)).toHaveLength(270 + 40);
    await app.del(id);
  });

  it("a lost response is retried and applied once", async () => {
    const id = `repair-lost-${randomUUID().slice(0, 8)}`;
    const oldestFirst = [human("a"), "null", doubleEncoded, "null", ai("b")];
    await writeConversation(app, id, oldestFirst);
    // The script runs in Redis, then its answer is lost; the retry finds it done.
    proxy.plan([{ kind: "pass" }, { kind: "pass" }, { kind: "drop-response" }]);
    const r = await viaProxy(["repair", id, "--invisible", "--yes", "--json"]);
    expect(r.code).toBe(0);
    const [session] = (JSON.parse(r.stdout) as { sessions: SessionJson[] }).sessions;
    expect(session.status).toBe("already");
    expect((await lrangeBytes(app, id)).map(String)).toEqual([ai("b"), JSON.parse(doubleEncoded), human("a")]);
    await app.del(id);
  });

  it("a session cleared between the read and the script is reported, not recreated", async () => {
    const id = `repair-gone-${randomUUID().slice(0, 8)}`;
    await writeConversation(app, id, [human("a"), "null", ai("b")]);
    proxy.plan([{ kind: "pass" }, { kind: "pass" }, { kind: "slow", ms: 1000 }]);
    proxy.requests = 0;
    const running = viaProxy(["repair", id, "--yes", "--json"]);
    await requestsReached(3);
    await app.del(id);
    const r = await running;
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).sessions[0].status).toBe("changed");
    expect(await app.exists(id)).toBe(0);
  });
});
