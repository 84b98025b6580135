// What a command loads at start, checked on the built CLI (speed itself is
// measured by `npm run bench`, never here): a one-request command over REST
// loads the launcher, the entry and cli.mjs and nothing else of ours, no
// Redis client, no `conf`, and never the global fetch (undici); `--version`
// loads only the entry; --debug stack traces point at the TypeScript sources.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Redis as IORedis } from "ioredis";
import { baseEnv, BIN, ROOT, runCli, tempConfigDir, type RunOptions } from "../harness/cli.js";
import { stack, uniqueId } from "../harness/stack.js";
import { appRedis, connectionEnv, writeConversation } from "../harness/transports.js";
import { storedMessages } from "../harness/fixtures.js";

const TRACE_HOOK = path.join(ROOT, "test/harness/module-trace.mjs");
const BUNDLE = path.join(ROOT, "dist/bundle");

interface Trace {
  /** Files of ours (relative to the root) and packages, in load order. */
  files: string[];
  builtins: string[];
}

async function traced(args: string[], opts: RunOptions = {}): Promise<Trace & { code: number; stderr: string }> {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "um-trace-")), "trace.json");
  const r = await runCli(args, {
    ...opts,
    env: { NODE_OPTIONS: `--import=${TRACE_HOOK}`, UPSTASH_MEMORY_MODULE_TRACE: file, ...opts.env },
  });
  const t = JSON.parse(fs.readFileSync(file, "utf8")) as { esm: string[]; cjs: string[]; builtins: string[] };
  const files = [...t.esm.filter((u) => u.startsWith("file:")).map((u) => new URL(u).pathname), ...t.cjs]
    .filter((p) => p !== TRACE_HOOK && !p.endsWith("module-trace-hooks.mjs"))
    .map((p) => path.relative(ROOT, p));
  return { code: r.code, stderr: r.stderr, files, builtins: t.builtins.map((b) => b.replace(/^NativeModule /, "")) };
}

const START = ["bin/upstash-memory.js", "dist/bundle/main.mjs", "dist/bundle/cli.mjs"];

let app: IORedis;
let id: string;
beforeAll(async () => {
  app = appRedis();
  id = uniqueId("startup");
  await writeConversation(
    app,
    id,
    storedMessages()
      .slice(0, 2)
      .map((f) => f.element),
  );
});
afterAll(() => app.quit());

describe("what a command loads", () => {
  it("--version: the launcher and the entry only", async () => {
    const t = await traced(["--version"]);
    expect(t.files).toEqual(START.slice(0, 2));
  });

  it("--help of a subcommand: no store, no network module", async () => {
    const t = await traced(["history", "show", "--help"]);
    expect(t.code).toBe(0);
    expect(t.files).toEqual(START);
    expect(t.builtins).not.toContain("http");
  });

  it("--help into a pipe writes to fd 1 directly: process.stdout (net and stream, on a pipe) is never built", async () => {
    const { spawnSync } = await import("node:child_process");
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "um-builtins-")), "builtins.json");
    const preload = path.join(ROOT, "test/harness/builtins-trace.cjs");
    const r = spawnSync(process.execPath, ["-r", preload, BIN, "history", "show", "--help"], {
      env: { ...baseEnv(tempConfigDir()), UPSTASH_MEMORY_BUILTINS_TRACE: file },
      encoding: "utf8",
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage: upstash-memory history show/);
    const loaded = JSON.parse(fs.readFileSync(file, "utf8")) as string[];
    for (const m of ["net", "stream", "tty", "internal/fs/sync_write_stream"])
      expect(loaded).not.toContain(`NativeModule ${m}`);
  });

  it.each([
    ["--version", ["--version"]],
    ["--help", ["history", "show", "--help"]],
    ["a listing", ["sessions", "list"]],
  ])("%s into a pipe nobody reads: exit 0, nothing on stderr", async (_name, args) => {
    const { spawn } = await import("node:child_process");
    const env = { ...baseEnv(tempConfigDir()), ...connectionEnv("rest") };
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    // The reader goes away before the CLI has started, as `| head -0` or a closed viewer would.
    child.stdout.destroy();
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    const code = await new Promise((resolve) => child.on("close", (c) => resolve(c)));
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
  });

  it.each([
    ["history show", (s: string) => ["history", "show", s, "--json"]],
    ["append", (s: string) => ["append", s, "one more", "--json"]],
    ["expire", (s: string) => ["expire", s, "1d", "--json"]],
  ])("%s over REST: the start files, node:http, no Redis client, no conf, no fetch", async (_name, args) => {
    const t = await traced(args(id), { env: connectionEnv("rest") });
    expect({ code: t.code, stderr: t.stderr }).toEqual({ code: 0, stderr: "" });
    expect(t.files).toEqual(START);
    expect(t.builtins).toContain("http");
    for (const heavy of ["internal/deps/undici/undici", "tls", "child_process"])
      expect(t.builtins).not.toContain(heavy);
  });

  it("history show --tokens loads the one tokenizer it counts with, and only then", async () => {
    const t = await traced(["history", "show", id, "--tokens", "--json"], { env: connectionEnv("rest") });
    expect({ code: t.code, stderr: t.stderr }).toEqual({ code: 0, stderr: "" });
    const vendors = t.files.filter((f) => f.startsWith("dist/bundle/vendor/"));
    expect(vendors).toEqual(["dist/bundle/vendor/gpt-tokenizer-encoding-o200k_base.mjs"]);
    const llama = await traced(["history", "show", id, "--tokens", "--model", "llama3.1", "--json"], {
      env: connectionEnv("rest"),
    });
    expect(llama.files.filter((f) => f.startsWith("dist/bundle/vendor/"))).toEqual([
      "dist/bundle/vendor/llama3-tokenizer-js.mjs",
    ]);
  });

  it("history show over redis://: ioredis from its own file, nothing else", async () => {
    const t = await traced(["history", "show", id, "--json"], { env: connectionEnv("redis") });
    expect(t.code).toBe(0);
    expect(t.files).toEqual([...START, "dist/bundle/vendor/ioredis.cjs"]);
  });

  it("summarize loads heavy.mjs, and shares cli.mjs's modules with it (one error class)", async () => {
    const t = await traced([
      "summarize",
      id,
      "--engine",
      "extractive",
      "--url",
      "http://127.0.0.1:9",
      "--token",
      "t0ken-for-tests",
      "--timeout",
      "1s",
    ]);
    // A connection error raised in cli.mjs's store, seen by heavy code: reported as one, exit 4.
    expect({ code: t.code, stderr: t.stderr.split("\n")[0] }).toEqual({
      code: 4,
      stderr: expect.stringContaining("connection refused"),
    });
    expect(t.files).toEqual([...START, "dist/bundle/heavy.mjs"]);
  });

  it("a connection from a saved profile is the one case that reads the profile file (conf)", async () => {
    const configDir = fs.mkdtempSync(path.join(os.tmpdir(), "um-config-"));
    await runCli(["login", "--url", stack().restUrl, "--token", stack().restToken], { configDir });
    const t = await traced(["history", "show", id, "--json"], { configDir });
    expect(t.code).toBe(0);
    expect(t.files).toEqual([...START, "dist/bundle/vendor/conf.mjs"]);
  });
});

describe("the bundle", () => {
  const meta = () =>
    JSON.parse(fs.readFileSync(path.join(BUNDLE, "meta.json"), "utf8")) as {
      outputs: Record<string, { inputs: Record<string, unknown> }>;
    };

  it("cli.mjs holds our code and commander; every other package is a file of its own", () => {
    const inputs = Object.keys(meta().outputs["dist/bundle/cli.mjs"].inputs);
    expect(inputs).toContain("src/cli.ts");
    expect(inputs).toContain("src/store/rest.ts");
    const packages = new Set(
      inputs.map((i) => /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(i)?.[1]).filter(Boolean),
    );
    expect([...packages]).toEqual(["commander"]);
  });

  it("the dev endpoint, doctor, summarize and repair are in heavy.mjs, not in cli.mjs", () => {
    const outputs = meta().outputs;
    const heavyDirs = /^src\/(dev|doctor|summarize|repair)\//;
    expect(Object.keys(outputs["dist/bundle/cli.mjs"].inputs).filter((i) => heavyDirs.test(i))).toEqual([]);
    const inHeavy = Object.keys(outputs["dist/bundle/heavy.mjs"].inputs);
    for (const m of ["src/dev/server.ts", "src/doctor/run.ts", "src/summarize/extractive.ts"])
      expect(inHeavy).toContain(m);
  });

  it("--debug: stack traces point at the TypeScript sources", async () => {
    const r = await runCli([
      "history",
      "show",
      "x",
      "--debug",
      "--url",
      "http://127.0.0.1:9",
      "--token",
      "t0ken-for-tests",
      "--timeout",
      "2s",
    ]);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/\n\s+at .*src\/store\/rest\.ts:\d+:\d+/);
  });
});
