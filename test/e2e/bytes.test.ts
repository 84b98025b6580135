// Keys whose bytes are not UTF-8, end to end on both transports: listed
// (escaped, with keyBase64 in JSON), exported, cleared and imported byte for
// byte; an import never turns bytes that are not UTF-8 into U+FFFD.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Redis as IORedis } from "ioredis";
import { appOn, appRedis, cliOn, keysOn, lrangeBytes, TRANSPORTS } from "../harness/transports.js";
import { uniqueId } from "../harness/stack.js";

let app: IORedis;
beforeAll(() => {
  app = appRedis();
});
afterAll(() => app.quit());

const tmp = (name: string) => path.join(fs.mkdtempSync(path.join(os.tmpdir(), "um-bytes-")), name);
const msg = (content: string) => JSON.stringify({ type: "human", data: { content } });

describe.each(TRANSPORTS)("keys that are not UTF-8, over %s", (transport) => {
  const cli = cliOn(transport);
  const app = appOn(transport);

  async function seed() {
    const prefix = `${uniqueId("bytes")}:`;
    // "bin" ff fe "-é" 80: two invalid bytes, a valid two-byte char, a stray continuation byte.
    const idBytes = Buffer.concat([
      Buffer.from("bin"),
      Buffer.from([0xff, 0xfe]),
      Buffer.from("-é"),
      Buffer.from([0x80]),
    ]);
    const key = Buffer.concat([Buffer.from(prefix), idBytes]);
    const oldestFirst = [Buffer.from([0x7b, 0xc3, 0x28, 0x7d]), Buffer.from(msg("hello from a binary key"))];
    for (const e of oldestFirst) await app.lpush(key, e);
    await app.expire(key, 5000);
    await app.lpush(`${prefix}plain`, msg("plain"));
    return { prefix, idBytes, key, elements: [...oldestFirst].reverse(), shown: "bin\\xff\\xfe-é\\x80" };
  }

  it("the escaped form sessions list prints is accepted back as the session id, in every command", async () => {
    const { prefix, key, shown } = await seed();
    const listed = await cli(["sessions", "list", "--prefix", prefix, "--sort", "name"]);
    expect(listed.stdout.split("\n")[0].split("\t")[0]).toBe(shown);
    const show = await cli(["history", "show", shown, "--json", "--prefix", prefix]);
    expect(show.code).toBe(0);
    expect(JSON.parse(show.stdout).count).toBe(2);
    expect((await cli(["doctor", shown, "--prefix", prefix])).stdout).not.toMatch(/no session/);
    const exported = await cli(["export", shown, "--prefix", prefix]);
    expect(exported.code).toBe(0);
    expect(JSON.parse(exported.stdout).keyBase64).toBe(key.toString("base64"));
    expect((await cli(["summarize", shown, "--prefix", prefix])).code).toBe(0);
    expect((await cli(["expire", shown, "2h", "--prefix", prefix])).code).toBe(0);
    expect(await app.ttl(key)).toBeGreaterThan(3600);
    expect((await cli(["append", shown, "more", "--prefix", prefix])).code).toBe(0);
    expect(await app.llen(key)).toBe(3);
    expect((await cli(["clear", shown, "--yes", "--prefix", prefix])).code).toBe(0);
    expect(await app.exists(key)).toBe(0);
  });

  it("sessions list shows them escaped, with keyBase64 in JSON and NDJSON", async () => {
    const { prefix, key, shown } = await seed();
    const json = await cli(["sessions", "list", "--prefix", prefix, "--json", "--sort", "name"]);
    expect(json.code).toBe(0);
    const rows = JSON.parse(json.stdout);
    expect(rows.map((r: { sessionId: string }) => r.sessionId)).toEqual([shown, "plain"]);
    expect(rows[0]).toMatchObject({ key: `${prefix}${shown}`, keyBase64: key.toString("base64"), count: 2 });
    expect(rows[0].last.content).toBe("hello from a binary key");
    expect(rows[1].keyBase64).toBeUndefined();
    const nd = await cli(["sessions", "list", "--prefix", prefix, "--ndjson"]);
    expect(
      nd.stdout
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l).keyBase64),
    ).toContain(key.toString("base64"));
    const piped = await cli(["sessions", "list", "--prefix", prefix, "--sort", "name"]);
    expect(piped.stdout.split("\n")[0].split("\t").slice(0, 2)).toEqual([shown, "2"]);
    expect(piped.stdout).not.toContain("\ufffd");
  });

  it("export → clear → import gives back the same key bytes, elements and TTL", async () => {
    const { prefix, key, elements, shown } = await seed();
    const file = tmp("all.jsonl");
    const exp = await cli(["export", "--match", "bin*", "--prefix", prefix, "-o", file]);
    expect(exp.code).toBe(0);
    expect(exp.stderr).toContain("exported 1 session");
    const line = JSON.parse(fs.readFileSync(file, "utf8").trim());
    expect(line).toMatchObject({ key: `${prefix}${shown}`, keyBase64: key.toString("base64"), sessionId: shown });

    const clear = await cli(["clear", "--match", "bin*", "--prefix", prefix, "--yes", "--json"]);
    expect(clear.code).toBe(0);
    expect(JSON.parse(clear.stdout).deleted).toEqual([
      { sessionId: shown, key: `${prefix}${shown}`, keyBase64: key.toString("base64"), count: 2 },
    ]);
    expect(await app.exists(key)).toBe(0);

    const imp = await cli(["import", file, "--json"]);
    expect(imp.code).toBe(0);
    expect(JSON.parse(imp.stdout).written).toEqual([`${prefix}${shown}`]);
    expect(await lrangeBytes(app, key)).toEqual(elements);
    expect(await app.ttl(key)).toBeGreaterThan(4000);
    // Nothing was written under a key with U+FFFD in it.
    const stray = await keysOn(app, `${prefix}*`, true);
    expect(stray.map((k) => k.toString("base64")).sort()).toEqual(
      [key.toString("base64"), Buffer.from(`${prefix}plain`).toString("base64")].sort(),
    );
  });

  it("expire --match reaches them", async () => {
    const { prefix, key } = await seed();
    const r = await cli(["expire", "--match", "bin*", "100", "--prefix", prefix, "--yes", "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)[0]).toMatchObject({ keyBase64: key.toString("base64"), status: "ok", ttlSeconds: 100 });
    expect(await app.ttl(key)).toBeLessThanOrEqual(100);
  });

  it("import refuses a file that is not UTF-8 or a lone surrogate escape, writing nothing", async () => {
    const prefix = `${uniqueId("bytes-imp")}:`;
    const ok = JSON.stringify({ key: `${prefix}a`, ttlSeconds: null, elements: [msg("a")] });
    const badBytes = tmp("bad.jsonl");
    fs.writeFileSync(
      badBytes,
      Buffer.concat([
        Buffer.from(`${ok}\n`),
        Buffer.from(`{"key":"${prefix}b","ttlSeconds":null,"elements":["`),
        Buffer.from([0xff]),
        Buffer.from('"]}\n'),
      ]),
    );
    const surrogateElement = tmp("surrogate.jsonl");
    fs.writeFileSync(surrogateElement, `${ok}\n{"key":"${prefix}c","ttlSeconds":null,"elements":["x\\udcff"]}\n`);
    const surrogateKey = tmp("surrogate-key.jsonl");
    fs.writeFileSync(surrogateKey, `${ok}\n{"key":"${prefix}\\ud800","ttlSeconds":null,"elements":["x"]}\n`);
    for (const [file, why] of [
      [badBytes, /line 2: not UTF-8/],
      [surrogateElement, /line 2: element 1 is not valid Unicode/],
      [surrogateKey, /line 2: "key" is not valid Unicode/],
    ] as const) {
      const r = await cli(["import", file]);
      expect({ file, code: r.code }).toEqual({ file, code: 2 });
      expect(r.stderr).toMatch(why);
    }
    expect(await keysOn(app, `${prefix}*`)).toEqual([]);
  });
});
