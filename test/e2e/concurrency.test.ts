// The app keeps writing while the CLI works: nothing lost, nothing doubled.
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import type { Redis as IORedis } from "ioredis";
import { appOn, appRedis, cliOn, lrangeBytes, TRANSPORTS, writeConversation } from "../harness/transports.js";

let app: IORedis;
beforeAll(() => {
  app = appRedis();
});
afterAll(() => app.quit());

const msg = (content: string) =>
  JSON.stringify({ type: "human", data: { content, additional_kwargs: {}, response_metadata: {} } });

/** An app-like writer: a bounded loop of LPUSH + EXPIRE, as LangChain does per message. */
function startWriter(app: IORedis, keys: string[], count = 300) {
  const written = new Map<string, string[]>(keys.map((k) => [k, []]));
  let stop = false;
  const done = (async () => {
    for (let i = 0; i < count && !stop; i++) {
      const key = keys[i % keys.length];
      const e = msg(`app ${i} ${randomUUID()}`);
      await app.multi().lpush(key, e).expire(key, 3600).exec();
      written.get(key)!.push(e);
      await new Promise((r) => setTimeout(r, 1));
    }
  })();
  return {
    written,
    finish: async () => {
      stop = true;
      return await done;
    },
  };
}

describe.each(TRANSPORTS)("while the app writes, over %s", (transport) => {
  const cli = cliOn(transport);
  const app = appOn(transport);

  it("append, expire and export leave every message present exactly once", async () => {
    const prefix = `c${randomUUID().slice(0, 8)}:`;
    const key = `${prefix}busy`;
    await writeConversation(app, key, [msg("seed")]);
    const writer = startWriter(app, [key]);
    const appended: string[] = [];
    for (let i = 0; i < 5; i++) {
      const text = `cli ${i} ${randomUUID()}`;
      expect((await cli(["append", "busy", text, "--prefix", prefix])).code).toBe(0);
      appended.push(text);
      expect((await cli(["expire", "busy", "2h", "--prefix", prefix])).code).toBe(0);
      const ex = await cli(["export", "busy", "--prefix", prefix]);
      expect(ex.code).toBe(0);
      // Each export is a consistent snapshot: no element twice.
      const elements: string[] = JSON.parse(ex.stdout).elements;
      expect(new Set(elements).size).toBe(elements.length);
    }
    await writer.finish();
    const stored = (await lrangeBytes(app, key)).map(String);
    expect(new Set(stored).size).toBe(stored.length);
    for (const e of writer.written.get(key)!) expect(stored).toContain(e);
    for (const text of appended) expect(stored.filter((e) => e.includes(text))).toHaveLength(1);
    expect(stored).toContain(msg("seed"));
  });

  it("expire --match, export and clear --match --backup: nothing the app wrote is lost", async () => {
    const prefix = `c${randomUUID().slice(0, 8)}:`;
    const keys = Array.from({ length: 6 }, (_, i) => `${prefix}s${i}`);
    for (const k of keys) await writeConversation(app, k, [msg(`first of ${k}`)]);
    const writer = startWriter(app, keys, 400);
    expect((await cli(["expire", "--match", "*", "1h", "--yes", "--prefix", prefix])).code).toBe(0);
    const ex = await cli(["export", "--prefix", prefix]);
    expect(ex.stdout.trim().split("\n")).toHaveLength(6);
    const backup = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "um-c-")), "b.jsonl");
    const cleared = await cli(["clear", "--match", "*", "--yes", "--backup", backup, "--prefix", prefix, "--json"]);
    await writer.finish();
    expect([0, 1]).toContain(cleared.code); // 1: some sessions changed under us and were kept
    // A kept session names the next step.
    if (cleared.code === 1)
      expect(cleared.stderr).toContain("changed since it was listed: kept (run the command again");
    // Every message the app wrote is either still in Redis or in the backup of what was deleted.
    const backedUp = new Set(
      fs
        .readFileSync(backup, "utf8")
        .trim()
        .split("\n")
        .flatMap((l) => JSON.parse(l).elements as string[]),
    );
    for (const k of keys) {
      const left = new Set((await lrangeBytes(app, k)).map(String));
      for (const e of [msg(`first of ${k}`), ...writer.written.get(k)!]) {
        expect(left.has(e) || backedUp.has(e)).toBe(true);
      }
    }
  });

  it("export → clear → import is byte-exact for arbitrary elements", async () => {
    const element = fc.oneof(
      fc.uint8Array({ minLength: 1, maxLength: 64 }).map((a) => Buffer.from(a)),
      fc.string({ unit: "binary", minLength: 1, maxLength: 64 }).map((s) => Buffer.from(s)),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(element, { minLength: 1, maxLength: 12 }), async (elements) => {
        const prefix = `p${randomUUID().slice(0, 8)}:`;
        await writeConversation(app, `${prefix}x`, elements);
        const before = await lrangeBytes(app, `${prefix}x`);
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "um-p-")), "e.jsonl");
        expect((await cli(["export", "--out", file, "--prefix", prefix])).code).toBe(0);
        expect((await cli(["clear", "x", "--yes", "--prefix", prefix])).code).toBe(0);
        expect((await cli(["import", file])).code).toBe(0);
        expect(await lrangeBytes(app, `${prefix}x`)).toEqual(before);
      }),
      { numRuns: 8 },
    );
  });

  it("summarize --store keeps the newest elements byte for byte, whatever they are", async () => {
    const key = `keep-${randomUUID().slice(0, 8)}`;
    const odd = [
      Buffer.from([0xff, 0x00, 0x1b, 0x5b]),
      Buffer.from("not json at all"),
      Buffer.from(msg("\u001b]0;title\u0007 hi")),
    ];
    await writeConversation(app, key, [...Array.from({ length: 6 }, (_, i) => msg(`old ${i}`)), ...odd]);
    const before = await lrangeBytes(app, key);
    expect((await cli(["summarize", key, "--store", "--keep", "3", "--yes", "--engine", "extractive"])).code).toBe(0);
    const after = await lrangeBytes(app, key);
    expect(after.slice(0, 3)).toEqual(before.slice(0, 3));
    expect(after).toHaveLength(4);
  });
});
