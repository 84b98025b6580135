// Files the CLI writes (export --out, clear --backup, summarize --store
// --backup): a bad path is one line and exit 2 before anything changes; a
// backup never replaces or follows anything; export replaces only with --force.
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Redis as IORedis } from "ioredis";
import { appOn, appRedis, cliOn, lrangeBytes, TRANSPORTS, writeConversation } from "../harness/transports.js";
import type { RunResult } from "../harness/cli.js";

let app: IORedis;
beforeAll(() => {
  app = appRedis();
});
afterAll(() => app.quit());

const msg = (type: string, content: string) =>
  JSON.stringify({ type, data: { content, additional_kwargs: {}, response_metadata: {} } });
const CHAT = [
  msg("human", "I need a train from Paris to Lisbon next Friday, budget 400 euros."),
  msg("ai", "A TGV to Hendaye at 7:12, then the night train to Lisbon: 310 euros in total."),
  msg("human", "Book it, with a window seat please."),
  msg("ai", "Booked: seat 42, window, car 7. Confirmation K7QX9."),
  msg("human", "Can I bring my folding bike?"),
  msg("ai", "Yes, folded bikes are allowed; I reserved one of the two bike spaces."),
];
const folder = () => fs.mkdtempSync(path.join(os.tmpdir(), "um-files-"));

/** One line on stderr, exit 2, nothing of Node's own error output. */
function expectUsageLine(r: RunResult, text: string): void {
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 2, stderr: expect.stringContaining(text) });
  expect(r.stderr.split("\n")[0]).toBe(`upstash-memory: ${text}`);
  expect(r.stderr).not.toMatch(/\n\s+at |node:|Unhandled|Error:/);
}

describe.each(TRANSPORTS)("files written over %s", (transport) => {
  const cli = cliOn(transport);
  const app = appOn(transport);

  async function session(label: string): Promise<{ prefix: string; key: string; before: Buffer[] }> {
    const prefix = `f${randomUUID().slice(0, 8)}:`;
    const key = `${prefix}${label}`;
    await writeConversation(app, key, CHAT, 3600);
    return { prefix, key, before: await lrangeBytes(app, key) };
  }

  it("a missing folder: one line, exit 2, nothing changed, for every command that writes a file", async () => {
    const s = await session("s");
    const bad = `/nonexistent-${randomUUID().slice(0, 6)}/d/x.jsonl`;
    const runs: string[][] = [
      ["export", "s", "-o", bad],
      ["export", "--match", "*", "--out", bad, "--force"],
      ["clear", "s", "--backup", bad, "--yes"],
      ["clear", "--match", "*", "--backup", bad, "--yes"],
      ["clear", "s", "--backup", bad, "--dry-run"],
      ["summarize", "s", "--store", "--keep", "2", "--yes", "--backup", bad],
      ["summarize", "--match", "*", "--store", "--keep", "2", "--yes", "--backup", bad],
      ["repair", "s", "--yes", "--backup", bad],
    ];
    for (const args of runs) {
      const r = await cli([...args, "--prefix", s.prefix]);
      expectUsageLine(r, `cannot write ${bad}: no such folder`);
    }
    expect(await lrangeBytes(app, s.key)).toEqual(s.before);
    expect(await app.ttl(s.key)).toBeGreaterThan(3000);
    // A file where a folder should be, and a folder where the file should be.
    const dir = folder();
    fs.writeFileSync(path.join(dir, "plain"), "x");
    expectUsageLine(
      await cli(["clear", "s", "--yes", "--backup", path.join(dir, "plain", "x.jsonl"), "--prefix", s.prefix]),
      `cannot write ${path.join(dir, "plain", "x.jsonl")}: ${path.join(dir, "plain")} is not a folder`,
    );
    expectUsageLine(
      await cli(["export", "s", "-o", dir, "--force", "--prefix", s.prefix]),
      `cannot write ${dir}: it is a folder`,
    );
    expect(await lrangeBytes(app, s.key)).toEqual(s.before);
  });

  it("a dry run with --backup says where the real run would save the sessions, and writes nothing", async () => {
    const s = await session("s");
    await app.lpush(s.key, "null"); // an element that breaks loading: something for repair to do
    const before = await lrangeBytes(app, s.key);
    for (const command of ["clear", "repair"]) {
      const file = path.join(folder(), "b.jsonl");
      const r = await cli([command, "s", "--dry-run", "--backup", file, "--prefix", s.prefix]);
      expect(r.code).toBe(0);
      expect(r.stderr).toContain(`would back up 1 session to ${file} first`);
      expect(fs.existsSync(file)).toBe(false);
    }
    expect(await lrangeBytes(app, s.key)).toEqual(before);
  });

  it("--backup never replaces an earlier backup nor follows a symlink", async () => {
    const s = await session("s");
    const dir = folder();
    const earlier = path.join(dir, "earlier.jsonl");
    fs.writeFileSync(earlier, "five sessions of an earlier backup\n");
    const target = path.join(dir, "target.txt");
    fs.writeFileSync(target, "not to be touched\n");
    const link = path.join(dir, "link.jsonl");
    fs.symlinkSync(target, link);
    const dangling = path.join(dir, "dangling.jsonl");
    fs.symlinkSync(path.join(dir, "nowhere.jsonl"), dangling);
    for (const file of [earlier, link, dangling]) {
      for (const args of [
        ["clear", "s", "--backup", file, "--yes"],
        ["summarize", "s", "--store", "--keep", "2", "--yes", "--backup", file],
        ["repair", "s", "--yes", "--backup", file],
      ]) {
        const r = await cli([...args, "--prefix", s.prefix]);
        expect(r.code).toBe(2);
        expect(r.stderr.split("\n")[0]).toMatch(
          new RegExp(`^upstash-memory: cannot write ${file}: (it already exists|a symbolic link is in the way)$`),
        );
      }
    }
    expect(fs.readFileSync(earlier, "utf8")).toBe("five sessions of an earlier backup\n");
    expect(fs.readFileSync(target, "utf8")).toBe("not to be touched\n");
    expect(fs.readlinkSync(link)).toBe(target);
    expect(fs.existsSync(path.join(dir, "nowhere.jsonl"))).toBe(false);
    expect(await lrangeBytes(app, s.key)).toEqual(s.before);
    // A new name works, and leaves no temporary file behind.
    const fresh = path.join(dir, "fresh.jsonl");
    const ok = await cli(["clear", "s", "--backup", fresh, "--yes", "--prefix", s.prefix]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(fs.readFileSync(fresh, "utf8")).elements).toHaveLength(CHAT.length);
    expect(fs.statSync(fresh).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(dir).sort()).toEqual([
      "dangling.jsonl",
      "earlier.jsonl",
      "fresh.jsonl",
      "link.jsonl",
      "target.txt",
    ]);
    expect(await app.exists(s.key)).toBe(0);
  });

  it("export --out replaces an existing file only with --force, and never writes through a symlink", async () => {
    const s = await session("s");
    const dir = folder();
    const file = path.join(dir, "out.jsonl");
    fs.writeFileSync(file, "old\n");
    const refused = await cli(["export", "s", "-o", file, "--prefix", s.prefix]);
    expectUsageLine(refused, `cannot write ${file}: it already exists`);
    expect(refused.stderr).toContain("--force");
    expect(fs.readFileSync(file, "utf8")).toBe("old\n");
    const forced = await cli(["export", "s", "-o", file, "--force", "--prefix", s.prefix]);
    expect(forced.code).toBe(0);
    expect(JSON.parse(fs.readFileSync(file, "utf8"))).toMatchObject({ sessionId: "s", elements: expect.any(Array) });
    // --force replaces the link itself; what it pointed to is untouched.
    const target = path.join(dir, "target.txt");
    fs.writeFileSync(target, "keep\n");
    const link = path.join(dir, "link.jsonl");
    fs.symlinkSync(target, link);
    expect((await cli(["export", "s", "-o", link, "--prefix", s.prefix])).code).toBe(2);
    expect((await cli(["export", "s", "-o", link, "--force", "--prefix", s.prefix])).code).toBe(0);
    expect(fs.readFileSync(target, "utf8")).toBe("keep\n");
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(false);
    expect(fs.readdirSync(dir).sort()).toEqual(["link.jsonl", "out.jsonl", "target.txt"]);
  });
});
