// summarize end to end: offline and through a local stand-in for an
// OpenAI-compatible API; --store compaction that never loses a message, even
// with the app writing at the same time.
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Redis as IORedis } from "ioredis";
import { appOn, appRedis, cliOn, lrangeBytes, TRANSPORTS, writeConversation } from "../harness/transports.js";
import { startFakeOpenAI, type FakeOpenAI } from "../harness/fake-openai.js";

let app: IORedis;
let model: FakeOpenAI;
beforeAll(async () => {
  app = appRedis();
  model = await startFakeOpenAI();
});
afterAll(async () => {
  await app.quit();
  await model.close();
});

const msg = (type: string, content: string) =>
  JSON.stringify({ type, data: { content, additional_kwargs: {}, response_metadata: {} } });
const TRIP = [
  msg("human", "Hi, I need a train from Paris to Lisbon next Friday. My budget is 400 euros."),
  msg("ai", "There is a TGV to Hendaye at 7:12 and a night train to Lisbon; total 310 euros. Shall I book it?"),
  msg("human", "Yes please, and I prefer a window seat."),
  msg("ai", "Booked: seat 42, window, car 7. Your confirmation number is K7QX9."),
  msg("human", "Can I bring my bike?"),
  msg("ai", "Bikes are allowed if folded; the night train has two bike spaces, I reserved one."),
  msg("human", "Great, thanks!"),
  msg("ai", "You're welcome, have a nice trip."),
];
const tmp = (name: string) => path.join(fs.mkdtempSync(path.join(os.tmpdir(), "um-sum-")), name);

describe.each(TRANSPORTS)("summarize over %s", (transport) => {
  const cli = cliOn(transport);
  const app = appOn(transport);

  it("prints a deterministic offline summary with speakers, within --max-words", async () => {
    const id = `sum-${randomUUID().slice(0, 8)}`;
    await writeConversation(app, id, TRIP);
    const a = await cli(["summarize", id, "--json", "--max-words", "40"]);
    expect(a.code).toBe(0);
    const v = JSON.parse(a.stdout);
    expect(v).toMatchObject({ sessionId: id, engine: "extractive", summarizedCount: 8 });
    expect(v.summary.split(/\s+/).length).toBeLessThanOrEqual(40);
    expect(v.summary).toMatch(/User:|Assistant:/);
    const b = await cli(["summarize", id, "--json", "--max-words", "40"]);
    expect(JSON.parse(b.stdout).summary).toBe(v.summary);
    expect(await app.llen(id)).toBe(8);
  });

  it("--store keeps the newest --keep messages and puts a marked summary first", async () => {
    const id = `sum-${randomUUID().slice(0, 8)}`;
    await writeConversation(app, id, TRIP, 3600);
    const before = await lrangeBytes(app, id);
    expect((await cli(["summarize", id, "--store"])).code).toBe(2); // not on a terminal: needs --yes
    const dry = await cli(["summarize", id, "--store", "--keep", "2", "--dry-run", "--json"]);
    expect(JSON.parse(dry.stdout).stored).toMatchObject({ status: "dry-run", length: 3, kept: 2 });
    expect(await lrangeBytes(app, id)).toEqual(before);
    const backup = tmp("before.jsonl");
    const r = await cli(["summarize", id, "--store", "--keep", "2", "--yes", "--json", "--backup", backup]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).stored).toMatchObject({ status: "compacted", length: 3, kept: 2 });
    const after = await lrangeBytes(app, id);
    expect(after.slice(0, 2)).toEqual(before.slice(0, 2));
    const summary = JSON.parse(after[2].toString());
    expect(summary.type).toBe("human");
    expect(summary.data.content).toMatch(/^Summary of the earlier conversation: /);
    expect(summary.data.additional_kwargs).toMatchObject({ upstash_memory_summary: true, summarized_messages: 6 });
    expect(await app.ttl(id)).toBeGreaterThan(3500);
    expect(JSON.parse(fs.readFileSync(backup, "utf8")).elements).toHaveLength(8);
    // LangChain loads the summary first, as ordinary history.
    const shown = JSON.parse((await cli(["history", "show", id, "--json"])).stdout);
    expect(shown.messages[0].content).toMatch(/^Summary of the earlier conversation/);
    // A later summarize folds the earlier summary in and counts what it covers.
    await app.lpush(
      id,
      msg("human", "One more question: is breakfast included?"),
      msg("ai", "Yes, breakfast is included on the night train."),
    );
    const again = JSON.parse((await cli(["summarize", id, "--store", "--keep", "1", "--yes", "--json"])).stdout);
    expect(again.summarizedCount).toBe(6 + 3);
    expect(await app.llen(id)).toBe(2);
  });

  it("--summary-role system, and keep 0 recreates the list with its TTL", async () => {
    const id = `sum-${randomUUID().slice(0, 8)}`;
    await writeConversation(app, id, TRIP.slice(0, 4), 900);
    const r = await cli(["summarize", id, "--store", "--keep", "0", "--summary-role", "system", "--yes"]);
    expect(r.code).toBe(0);
    const els = await lrangeBytes(app, id);
    expect(els).toHaveLength(1);
    expect(JSON.parse(els[0].toString()).type).toBe("system");
    expect(await app.ttl(id)).toBeGreaterThan(800);
  });

  it("loses nothing while the app writes during --store: every message is present or summarized, none twice", async () => {
    const id = `sum-${randomUUID().slice(0, 8)}`;
    const initial = Array.from({ length: 40 }, (_, i) =>
      msg(i % 2 ? "ai" : "human", `turn ${i} about trains number ${i}`),
    );
    await writeConversation(app, id, initial);
    let writing = true;
    const written: string[] = [];
    const writer = (async () => {
      for (let i = 0; i < 400 && writing; i++) {
        const e = msg("human", `concurrent ${i}`);
        await app.lpush(id, e);
        written.push(e);
        await new Promise((r) => setTimeout(r, 2));
      }
    })();
    const r = await cli(["summarize", id, "--store", "--keep", "4", "--yes", "--json"]);
    writing = false;
    await writer;
    expect(r.code).toBe(0);
    const v = JSON.parse(r.stdout);
    const after = (await lrangeBytes(app, id)).map(String);
    const summary = JSON.parse(after[after.length - 1]);
    expect(summary.data.additional_kwargs.upstash_memory_summary).toBe(true);
    const covered = summary.data.additional_kwargs.summarized_messages;
    const kept = after.slice(0, -1);
    // Everything written, oldest first: the initial turns, then the app's.
    const all = [...initial, ...written];
    // The summary covers exactly the oldest `covered`; the rest are all still there, in order, once.
    expect(covered).toBe(v.summarizedCount);
    expect([...kept].reverse()).toEqual(all.slice(covered));
  });

  it("the llm engine: request shape, the summary stored, errors on one line without the key", async () => {
    const id = `sum-${randomUUID().slice(0, 8)}`;
    await writeConversation(app, id, TRIP);
    model.queue({
      kind: "json",
      content: "The user booked a train from Paris to Lisbon (seat 42, K7QX9) and reserved a bike space.",
    });
    const env = {
      OPENAI_BASE_URL: model.baseUrl,
      OPENAI_API_KEY: "sk-test-secret-key-123",
      UPSTASH_MEMORY_MODEL: "test-model",
    };
    const r = await cli(["summarize", id, "--json"], { env });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      engine: "llm",
      summary: expect.stringContaining("Paris to Lisbon"),
      summarizedCount: 8,
    });
    const req = model.requests[model.requests.length - 1];
    expect(req.path).toBe("/v1/chat/completions");
    expect(req.body.model).toBe("test-model");
    expect(req.headers.authorization).toBe("Bearer sk-test-secret-key-123");
    expect(req.body.messages?.[1].content).toContain("window seat");
    model.queue({
      kind: "error",
      status: 401,
      body: { error: { message: "Incorrect API key provided: sk-test-secret-key-123" } },
    });
    const bad = await cli(["summarize", id, "--store", "--yes"], { env });
    expect(bad.code).toBe(4);
    expect(bad.stderr).not.toContain("sk-test-secret-key-123");
    expect(bad.stderr.split("\n")[0]).toMatch(/401/);
    expect(await app.llen(id)).toBe(8);
  });
});

describe("summarize --match", () => {
  it("summarizes many sessions", async () => {
    const prefix = `m${randomUUID().slice(0, 6)}:`;
    for (let i = 0; i < 5; i++) await writeConversation(app, `${prefix}s${i}`, TRIP.slice(0, 4 + i));
    const r = await cliOn("rest")([
      "summarize",
      "--match",
      "*",
      "--prefix",
      prefix,
      "--json",
      "--engine",
      "extractive",
    ]);
    expect(r.code).toBe(0);
    const v = JSON.parse(r.stdout);
    expect(v.map((x: { sessionId: string }) => x.sessionId)).toEqual(["s0", "s1", "s2", "s3", "s4"]);
    expect(v.map((x: { summarizedCount: number }) => x.summarizedCount)).toEqual([4, 5, 6, 7, 8]);
  });

  it("--store --backup saves every matched session before compacting any", async () => {
    const prefix = `m${randomUUID().slice(0, 6)}:`;
    for (let i = 0; i < 3; i++) await writeConversation(app, `${prefix}s${i}`, TRIP);
    const backup = tmp("all.jsonl");
    const r = await cliOn("redis")([
      "summarize",
      "--match",
      "*",
      "--prefix",
      prefix,
      "--store",
      "--keep",
      "2",
      "--yes",
      "--backup",
      backup,
      "--engine",
      "extractive",
    ]);
    expect(r.code).toBe(0);
    const lines = fs
      .readFileSync(backup, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.sessionId).sort()).toEqual(["s0", "s1", "s2"]);
    expect(lines.every((l) => l.elements.length === 8)).toBe(true);
    for (let i = 0; i < 3; i++) expect(await app.llen(`${prefix}s${i}`)).toBe(3);
  });
});
