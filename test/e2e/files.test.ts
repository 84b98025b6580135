// Files the CLI writes (export --out, clear --backup, summarize --store
// --backup): a bad path is one line and exit 2 before anything changes; a
// backup never replaces or follows anything; export replaces only with --force.
import { type ChildProcess, execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Redis as IORedis } from "ioredis";
import {
  appOn,
  appRedis,
  cliOn,
  lpushMany,
  lrangeBytes,
  TRANSPORTS,
  writeConversation,
} from "../harness/transports.js";
import { runCli, type RunResult } from "../harness/cli.js";
import { startFaultProxy } from "../harness/fault-proxy.js";
import { stack } from "../harness/stack.js";

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

  it("export --out of 2,000 sessions to a file that falls behind: complete, and no listener-leak warning", async () => {
    const prefix = `f${randomUUID().slice(0, 8)}:`;
    const n = 2000;
    await lpushMany(
      app,
      Array.from({ length: n }, (_, i) => [`${prefix}s${i}`, CHAT[i % CHAT.length]] as [string, string]),
    );
    const file = path.join(folder(), "all.jsonl");
    const r = await cli(["export", "--match", "*", "--out", file, "--prefix", prefix]);
    // Each time the file fell behind, waiting for it once left an `error` and a
    // `close` listener behind: from the eleventh, Node warned of a leak.
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: `exported 2,000 sessions to ${file}\n` });
    const ids = fs
      .readFileSync(file, "utf8")
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l).sessionId);
    expect(new Set(ids)).toEqual(new Set(Array.from({ length: n }, (_, i) => `s${i}`)));
    expect(ids).toHaveLength(n);
  });
});

describe("files: what is written, and what is left behind", () => {
  const cli = cliOn("redis");

  async function session(label: string): Promise<{ prefix: string; key: string }> {
    const prefix = `f${randomUUID().slice(0, 8)}:`;
    const key = `${prefix}${label}`;
    await writeConversation(app, key, CHAT, 3600);
    return { prefix, key };
  }

  it("a command that fails or finds nothing leaves no file", async () => {
    const s = await session("s");
    await app.set(`${s.prefix}str`, "a string, not a chat history");
    const dir = folder();
    const runs: [string[], number][] = [
      [["export", "nope", "--out", path.join(dir, "x.jsonl")], 3],
      [["summarize", "nope", "--store", "--yes", "--backup", path.join(dir, "y.jsonl")], 3],
      [["summarize", "str", "--store", "--yes", "--backup", path.join(dir, "z.jsonl")], 1],
      [["export", "--match", "none-*", "--out", path.join(dir, "w.jsonl")], 0],
    ];
    for (const [args, code] of runs) {
      const r = await cli([...args, "--prefix", s.prefix]);
      expect({ args, code: r.code }).toEqual({ args, code });
    }
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it("--out - is stdout; devices and FIFOs are written straight through, for --out and --backup", async () => {
    const s = await session("s");
    const dir = folder();
    const viaDash = await cli(["export", "s", "--out", "-", "--prefix", s.prefix], { cwd: dir });
    expect(viaDash.code).toBe(0);
    expect(JSON.parse(viaDash.stdout)).toMatchObject({ sessionId: "s" });
    expect(fs.readdirSync(dir)).toEqual([]);
    for (const args of [
      ["--out", "/dev/stdout"],
      ["--out", "/dev/stdout", "--force"],
    ]) {
      const r = await cli(["export", "s", ...args, "--prefix", s.prefix]);
      expect({ args, code: r.code, stderr: r.stderr }).toEqual({ args, code: 0, stderr: expect.any(String) });
      expect(JSON.parse(r.stdout).elements).toHaveLength(CHAT.length);
    }
    expect((await cli(["export", "s", "--out", "/dev/null", "--prefix", s.prefix])).code).toBe(0);
    // A link to a device is one too.
    fs.symlinkSync("/dev/null", path.join(dir, "null"));
    expect((await cli(["export", "s", "--out", path.join(dir, "null"), "--prefix", s.prefix])).code).toBe(0);
    // A FIFO, read as `>(gzip > f.gz)` would.
    const fifo = path.join(dir, "pipe");
    execFileSync("mkfifo", [fifo]);
    const read = new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = [];
      fs.createReadStream(fifo)
        .on("data", (c) => chunks.push(c as Buffer))
        .on("end", () => resolve(Buffer.concat(chunks).toString("utf8")))
        .on("error", reject);
    });
    const r = await cli(["clear", "s", "--backup", fifo, "--yes", "--prefix", s.prefix]);
    expect(r.code).toBe(0);
    expect(JSON.parse(await read).elements).toHaveLength(CHAT.length);
    expect(await app.exists(s.key)).toBe(0);
    expect(fs.readdirSync(dir).sort()).toEqual(["null", "pipe"]);
  });

  it.each(["SIGINT", "SIGTERM"] as const)("an export stopped by %s leaves no temporary file", async (signal) => {
    const prefix = `big${randomUUID().slice(0, 8)}:`;
    const entries: [string, string][] = [];
    for (let i = 0; i < 3000; i++) entries.push([`${prefix}s${i}`, CHAT[0]]);
    await lpushMany(app, entries);
    // Every request answered late, so the export is still running when the signal comes.
    const proxy = await startFaultProxy(stack().restUrl);
    proxy.always({ kind: "slow", ms: 200 });
    const dir = folder();
    try {
      let child: ChildProcess | undefined;
      const run = runCli(["export", "--out", path.join(dir, "big.jsonl"), "--prefix", prefix], {
        env: { UPSTASH_REDIS_REST_URL: proxy.url, UPSTASH_REDIS_REST_TOKEN: stack().restToken },
        onSpawn: (c) => {
          child = c;
        },
      });
      // The temporary file with lines in it (not the empty probe that checks the folder first).
      const writing = () =>
        fs
          .readdirSync(dir)
          .some((f) => f.endsWith(".tmp") && fs.statSync(path.join(dir, f), { throwIfNoEntry: false })?.size);
      const deadline = Date.now() + 20_000;
      while (!writing() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(fs.readdirSync(dir)).toEqual([expect.stringMatching(/^\.big\.jsonl\.[0-9a-f]+\.tmp$/)]);
      child!.kill(signal);
      const r = await run;
      expect(r.code).toBe(128 + os.constants.signals[signal]);
      expect(fs.readdirSync(dir)).toEqual([]);
    } finally {
      await proxy.close();
      for (let i = 0; i < entries.length; i += 500) await app.del(...entries.slice(i, i + 500).map((e) => e[0]));
    }
  });
});
