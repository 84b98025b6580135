// Tokens end to end: history show --tokens against counts made here with the
// reference tokenizer, and trim on every transport, with the app writing
// meanwhile (nothing it stores is lost) and LangChain's reader loading the result.
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { UpstashRedisChatMessageHistory } from "@langchain/community/stores/message/upstash_redis";
import { encode } from "gpt-tokenizer/encoding/o200k_base";
import { encode as encodeCl100k } from "gpt-tokenizer/encoding/cl100k_base";
import { describe, expect, it } from "vitest";
import { appOn, cliOn, lrangeBytes, TRANSPORTS, writeConversation } from "../harness/transports.js";
import { stack } from "../harness/stack.js";

const PLAIN = { disallowedSpecial: new Set<string>() };
const msg = (type: string, content: string) =>
  JSON.stringify({ type, data: { content, additional_kwargs: {}, response_metadata: {} } });
const ROLE: Record<string, string> = { human: "user", ai: "assistant", system: "system" };
/** The cookbook's formula, by hand: 3 + role + content per message. */
const reference = (el: string, enc = (t: string) => encode(t, PLAIN).length) => {
  const m = JSON.parse(el);
  return 3 + enc(ROLE[m.type]) + enc(m.data.content);
};
const conversation = (n: number, tag: string) =>
  Array.from({ length: n }, (_, i) =>
    msg(i % 2 ? "ai" : "human", `${tag} turn ${i}: ${"Élève à l'école 東京 👨‍👩‍👧 ".repeat((i % 5) + 1)}\tcode(${i})`),
  );
/** The app storing a message every few milliseconds (at most 300) until stopped: what it wrote, in order. */
function appWriting(app: ReturnType<typeof appOn>, id: string): { stop: () => Promise<string[]> } {
  let writing = true;
  const written: string[] = [];
  const done = (async () => {
    for (let i = 0; i < 300 && writing; i++) {
      const e = msg("human", `concurrent ${i}`);
      await app.lpush(id, e);
      written.push(e);
      await new Promise((r) => setTimeout(r, 2));
    }
  })();
  return {
    stop: async () => {
      writing = false;
      await done;
      return written;
    },
  };
}
const tmp = (name: string) => path.join(fs.mkdtempSync(path.join(os.tmpdir(), "um-tok-")), name);

describe.each(TRANSPORTS)("tokens over %s", (transport) => {
  const cli = cliOn(transport);
  const app = appOn(transport);

  it("history show --tokens: each message, the total and the window, as the reference counts them", async () => {
    const id = `tok-${randomUUID().slice(0, 8)}`;
    const els = [msg("system", "You are a helpful travel agent."), ...conversation(30, "show")];
    await writeConversation(app, id, els);
    const r = await cli(["history", "show", id, "--tokens", "--model", "gpt-4o-mini", "--window", "10", "--json"]);
    expect(r.code).toBe(0);
    const v = JSON.parse(r.stdout);
    const per = els.map((e) => reference(e));
    expect(v.messages.map((m: { tokens: number }) => m.tokens)).toEqual(per);
    expect(v.tokens).toEqual({
      model: "gpt-4o-mini",
      tokenizer: "o200k_base",
      estimated: false,
      total: per.reduce((a, b) => a + b, 3),
      contextWindow: 128000,
    });
    expect(v.window).toMatchObject({ firstSeen: 22, lastSeen: 31, cutBy: "messages" });
    const text = await cli(["history", "show", id, "--tokens", "--model", "gpt-4o-mini", "--window", "10"]);
    expect(text.stderr).toContain("the model sees messages 22–31; 1–21 fall outside (a window of 10 messages)");
    // A token budget: the newest messages whose running total (with the reply priming) fits.
    let total = 3;
    let first = els.length + 1;
    for (let i = els.length - 1; i >= 0 && total + per[i] <= 500; i--) {
      total += per[i];
      first = i + 1;
    }
    const budget = JSON.parse((await cli(["history", "show", id, "--tokens", "--max-tokens", "500", "--json"])).stdout);
    expect(budget.window).toMatchObject({ firstSeen: first, seenTokens: total, cutBy: "max-tokens" });
    // cl100k for gpt-4, an estimate for a model the table lacks.
    // --context overrides the table's window.
    const gpt4 = JSON.parse(
      (await cli(["history", "show", id, "--tokens", "--model", "gpt-4", "--context", "1000", "--json"])).stdout,
    );
    expect(gpt4.tokens.contextWindow).toBe(1000);
    expect(gpt4.tokens.total).toBe(
      els.map((e) => reference(e, (t) => encodeCl100k(t, PLAIN).length)).reduce((a, b) => a + b, 3),
    );
    expect(gpt4.window.cutBy).toBe("context-window");
    const unknown = await cli(["history", "show", id, "--tokens", "--model", "acme-9", "--format", "text"]);
    expect(unknown.code).toBe(0);
    expect(unknown.stdout).toMatch(/\(≈\d+ tokens\)/);
    expect(unknown.stderr).toMatch(/^≈[\d,]+ tokens for acme-9 \(≈ estimated with o200k_base\)/m);
  });

  it("sessions list --tokens: the total history show --tokens gives, the window share, --sort tokens", async () => {
    const tag = `tokl-${randomUUID().slice(0, 8)}`;
    const sizes = [3, 12, 7, 1200];
    for (const [i, n] of sizes.entries()) await writeConversation(app, `${tag}-${i}`, conversation(n, `l${i}`));
    const r = await cli([
      "sessions",
      "list",
      `${tag}-*`,
      "--tokens",
      "--model",
      "gpt-4o-mini",
      "--sort",
      "tokens",
      "--json",
    ]);
    expect(r.code, r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout) as {
      sessionId: string;
      tokens: number;
      windowShare: number;
      estimated: boolean;
    }[];
    expect(rows.map((x) => x.sessionId)).toEqual([3, 1, 2, 0].map((i) => `${tag}-${i}`));
    for (const row of rows) {
      const shown = JSON.parse(
        (await cli(["history", "show", row.sessionId, "--tokens", "--model", "gpt-4o-mini", "--json"])).stdout,
      );
      expect(row.tokens).toBe(shown.tokens.total);
      expect(row.windowShare).toBeCloseTo(shown.tokens.total / 128000, 4);
      expect(row.estimated).toBe(false);
    }
    const tsv = await cli(["sessions", "list", `${tag}-*`, "--tokens", "--sort", "name"]);
    expect(tsv.stdout.split("\n")[0].split("\t").slice(-2)).toEqual([
      String(rows[3].tokens),
      expect.stringMatching(/^\d+%$/),
    ]);
    expect((await cli(["sessions", "list", "--sort", "tokens"])).code).toBe(2);
  });

  it("trim --keep: drops the oldest, keeps the system message first, loses nothing the app writes meanwhile", async () => {
    const id = `tok-${randomUUID().slice(0, 8)}`;
    const system = msg("system", "You are a helpful travel agent.");
    const initial = [system, ...conversation(300, "trim")];
    await writeConversation(app, id, initial, 3600);
    const writer = appWriting(app, id);
    const r = await cli(["trim", id, "--keep", "20", "--yes", "--json"]);
    const written = await writer.stop();
    expect(r.code, r.stderr).toBe(0);
    const v = JSON.parse(r.stdout);
    const after = (await lrangeBytes(app, id)).map(String).reverse();
    expect(after[0]).toBe(system);
    // What was there when trim read it: the system message and the newest 20 of it, then every later write.
    const all = [...initial, ...written];
    const readCount = v.trimmed[0].before;
    expect(after.slice(1)).toEqual([...all.slice(readCount - 20, readCount), ...all.slice(readCount)]);
    const dropped = all.slice(1, readCount - 20);
    expect(v.trimmed[0]).toMatchObject({
      sessionId: id,
      droppedTokens: dropped.map((e) => reference(e)).reduce((a, b) => a + b, 0),
    });
    expect(await app.ttl(id)).toBeGreaterThan(3000);
    if (transport !== "cluster") {
      const { restUrl, restToken } = stack();
      const loaded = await new UpstashRedisChatMessageHistory({
        sessionId: id,
        config: { url: restUrl, token: restToken },
      }).getMessages();
      expect(loaded.length).toBe(after.length);
      expect(loaded[0].getType()).toBe("system");
    }
  });

  it("trim --max-tokens: what stays fits the budget; --dry-run and --backup; refusals write nothing", async () => {
    const id = `tok-${randomUUID().slice(0, 8)}`;
    const els = conversation(40, "fit");
    await writeConversation(app, id, els);
    // Off a terminal without --yes: refused, unchanged.
    const refused = await cli(["trim", id, "--max-tokens", "300"]);
    expect(refused.code).toBe(2);
    expect(await app.llen(id)).toBe(40);
    const dry = await cli(["trim", id, "--max-tokens", "300", "--dry-run", "--json"]);
    expect(dry.code).toBe(0);
    expect(await app.llen(id)).toBe(40);
    const planned = JSON.parse(dry.stdout).trimmed[0];
    const backup = tmp("dropped.jsonl");
    const r = await cli(["trim", id, "--max-tokens", "300", "--backup", backup, "--yes", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).trimmed[0]).toEqual(planned);
    const kept = (await lrangeBytes(app, id)).map(String).reverse();
    const total = kept.map((e) => reference(e)).reduce((a, b) => a + b, 3);
    expect(total).toBeLessThanOrEqual(300);
    // One more message would not have fitted.
    expect(total + reference(els[els.length - kept.length - 1])).toBeGreaterThan(300);
    expect(kept).toEqual(els.slice(els.length - kept.length));
    const lines = fs
      .readFileSync(backup, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(1);
    expect([...lines[0].elements].reverse()).toEqual(els.slice(0, els.length - kept.length));
    // Running it again drops nothing.
    const again = await cli(["trim", id, "--max-tokens", "300", "--yes", "--json"]);
    expect(JSON.parse(again.stdout).trimmed).toEqual([]);
    // A missing session, a key that is not a list, bad flags: nothing written.
    expect((await cli(["trim", `${id}-missing`, "--keep", "1", "--yes"])).code).toBe(3);
    const str = `tok-str-${randomUUID().slice(0, 8)}`;
    await app.set(str, "x");
    const notList = await cli(["trim", str, "--keep", "1", "--yes"]);
    expect(notList.code).toBe(1);
    expect(await app.get(str)).toBe("x");
    expect((await cli(["trim", id, "--yes"])).code).toBe(2);
    expect((await cli(["trim", id, "--keep", "1", "--max-tokens", "5", "--yes"])).code).toBe(2);
    expect(await app.llen(id)).toBe(kept.length);
  });
});

describe.each(TRANSPORTS)("summarize --fit over %s", (transport) => {
  const cli = cliOn(transport);
  const app = appOn(transport);

  it("stores a summary and the newest messages that fit T tokens, keeping what the app writes meanwhile", async () => {
    const id = `tok-${randomUUID().slice(0, 8)}`;
    const initial = conversation(60, "fit");
    await writeConversation(app, id, initial, 3600);
    const dry = await cli(["summarize", id, "--store", "--fit", "600", "--dry-run", "--json"]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(await app.llen(id)).toBe(60);
    const writer = appWriting(app, id);
    const r = await cli([
      "summarize",
      id,
      "--store",
      "--fit",
      "600",
      "--engine",
      "extractive",
      "--model",
      "gpt-4o",
      "--yes",
      "--json",
    ]);
    const written = await writer.stop();
    expect(r.code, r.stderr).toBe(0);
    const v = JSON.parse(r.stdout);
    const after = (await lrangeBytes(app, id)).map(String).reverse();
    const summary = JSON.parse(after[0]);
    expect(summary.data.additional_kwargs.upstash_memory_summary).toBe(true);
    const covered = summary.data.additional_kwargs.summarized_messages;
    expect(covered).toBe(v.summarizedCount);
    // Every message written is either covered by the summary or still there, in order, once.
    expect(after.slice(1)).toEqual([...initial, ...written].slice(covered));
    expect(v.stored.kept).toBeGreaterThan(0);
    // What was stored when it was read (the app's later writes aside) fits 600 tokens, summary
    // included; one more message would not have.
    const all = [...initial, ...written];
    const stored = [after[0], ...all.slice(covered, covered + v.stored.kept)];
    const total = stored.map((e) => reference(e)).reduce((a, b) => a + b, 3);
    expect(total).toBeLessThanOrEqual(600);
    expect(total + reference(all[covered - 1])).toBeGreaterThan(600);
    expect(await app.ttl(id)).toBeGreaterThan(3000);
    if (transport !== "cluster") {
      const { restUrl, restToken } = stack();
      const loaded = await new UpstashRedisChatMessageHistory({
        sessionId: id,
        config: { url: restUrl, token: restToken },
      }).getMessages();
      expect(loaded.length).toBe(after.length);
      expect(String(loaded[0].content)).toMatch(/^Summary of the earlier conversation: /);
    }
    // A budget the summary alone cannot fit: refused, nothing written.
    const before = await lrangeBytes(app, id);
    const tiny = await cli(["summarize", id, "--store", "--fit", "10", "--yes"]);
    expect(tiny.code).toBe(1);
    expect(tiny.stderr).toMatch(/over --fit 10: nothing was written/);
    expect(await lrangeBytes(app, id)).toEqual(before);
    expect((await cli(["summarize", id, "--store", "--fit", "600", "--keep", "3", "--yes"])).code).toBe(2);
  });
});

describe("doctor: what the model sees", () => {
  const cli = cliOn("redis");
  const app = appOn("redis");

  it("over the window fails, near it warns, a window memory's drops are named; hints name trim and summarize --fit", async () => {
    const id = `tok-${randomUUID().slice(0, 8)}`;
    const els = conversation(20, "doc");
    await writeConversation(app, id, els);
    const total = els.map((e) => reference(e)).reduce((a, b) => a + b, 3);
    const run = async (...flags: string[]) => {
      const r = await cli(["doctor", id, "--json", ...flags]);
      const checks = JSON.parse(r.stdout).checks as { id: string; status: string; message: string; hint?: string }[];
      return { code: r.code, byId: new Map(checks.map((c) => [c.id, c])) };
    };
    const over = await run("--model", "gpt-4o", "--context", String(total - 1));
    expect(over.code).toBe(1);
    expect(over.byId.get("context.over-window")).toMatchObject({ status: "fail" });
    expect(over.byId.get("context.over-window")?.hint).toMatch(
      /upstash-memory trim .* --max-tokens \d+.*summarize .* --store --fit/,
    );
    const near = await run("--model", "gpt-4o", "--context", String(Math.ceil(total / 0.85)));
    expect(near.byId.get("context.over-window")?.status).toBe("pass");
    expect(near.byId.get("context.near-window")).toMatchObject({ status: "warn" });
    const fine = await run("--model", "gpt-4o", "--window", "6");
    expect(fine.code).toBe(0);
    expect(fine.byId.has("context.near-window")).toBe(false);
    const drops = fine.byId.get("context.window-drops");
    expect(drops?.status).toBe("info");
    const dropped = els
      .slice(0, 14)
      .map((e) => reference(e))
      .reduce((a, b) => a + b, 0);
    expect(drops?.message).toBe(
      `a window memory of 6 messages never sends messages 1–14 (${dropped.toLocaleString("en-US")} tokens): the model does not see them`,
    );
    // Without a model, window or budget: no context checks, no tokenizer.
    expect([...(await run()).byId.keys()].some((k) => k.startsWith("context."))).toBe(false);
  });
});
