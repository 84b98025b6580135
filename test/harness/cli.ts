// Runs the built binary as a user would (node bin/upstash-memory.js), with a
// private config directory, and captures stdout, stderr and the exit code.
// Every run is checked for the suite's tokens: none may ever be printed.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { inject } from "vitest";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const BIN = path.join(ROOT, "bin/upstash-memory.js");

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  stdoutBytes: Buffer;
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  input?: string | Buffer;
  configDir?: string;
  timeoutMs?: number;
  /** Working folder of the process (default: the test's). */
  cwd?: string;
  /** Called with the child once it is spawned (to signal it mid-run). */
  onSpawn?: (child: import("node:child_process").ChildProcess) => void;
}

/**
 * The suite's tokens must never appear in anything the CLI prints: every run
 * of every test is checked here, so a leak fails the test that caused it.
 */
function assertNoSecrets(result: RunResult, args: string[]): void {
  // The shared redis-server's password too (in REDIS_URL-style URLs the suite passes around).
  const redisPassword = decodeURIComponent(new URL(inject("redisUrl")).password);
  const secrets = [inject("restToken"), inject("readonlyToken"), redisPassword];
  for (const secret of secrets) {
    if (secret && (result.stdout.includes(secret) || result.stderr.includes(secret))) {
      throw new Error(
        `a token appeared in the output of: upstash-memory ${args.join(" ").replaceAll(secret, "<token>")}`,
      );
    }
  }
}

export function tempConfigDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "um-config-"));
}

/** A clean environment: nothing from the developer's shell leaks into a test. */
export function baseEnv(configDir: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "",
    HOME: configDir,
    UPSTASH_MEMORY_CONFIG_DIR: configDir,
    NO_COLOR: "1",
    CI: "true",
  };
}

export function runCli(args: string[], opts: RunOptions = {}): Promise<RunResult> {
  const configDir = opts.configDir ?? tempConfigDir();
  const env: Record<string, string> = { ...baseEnv(configDir) };
  for (const [k, v] of Object.entries(opts.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, cwd: opts.cwd, stdio: ["pipe", "pipe", "pipe"] });
    opts.onSpawn?.(child);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 30_000);
    child.stdout.on("data", (d) => out.push(d));
    child.stderr.on("data", (d) => err.push(d));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const stdoutBytes = Buffer.concat(out);
      const result = {
        // Killed by a signal: 128 + its number, as shells report it.
        code: code ?? (signal ? 128 + os.constants.signals[signal] : 1),
        stdout: stdoutBytes.toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
        stdoutBytes,
      };
      try {
        assertNoSecrets(result, args);
        resolve(result);
      } catch (e) {
        reject(e);
      }
    });
    child.stdin.on("error", () => {});
    if (opts.input !== undefined) child.stdin.end(opts.input);
    else child.stdin.end();
  });
}
