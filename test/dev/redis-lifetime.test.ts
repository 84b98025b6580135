// The redis-server that `dev` starts never outlives it: killed (SIGKILL, which
// runs no handler), hung up on (SIGHUP, the terminal closed) or crashed, dev
// takes its redis-server along within seconds. Checked on the built binary,
// and on both ways of tying the server to its parent (the kernel's parent-death
// signal through setpriv, and the watchdog pipe used where setpriv is missing).
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { build } from "esbuild";
import { afterAll, describe, expect, it } from "vitest";
import { BIN, baseEnv, ROOT, tempConfigDir } from "../harness/cli.js";

const started: ChildProcess[] = [];
afterAll(() => {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The pids whose parent is `ppid` (from /proc). */
function childrenOf(ppid: number): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      // pid (comm) state ppid ...: comm may hold spaces, so split after the last ")".
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[1]) === ppid) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

function commandOf(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")[0];
  } catch {
    return "";
  }
}

async function gone(pid: number, withinMs: number): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline) {
    // A zombie still answers kill(0): read its state too.
    if (!alive(pid) || /\) Z /.test(fs.readFileSync(`/proc/${pid}/stat`, "utf8"))) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

/** Spawns `node args`, waits for its first stdout line, and returns the child with that line. */
async function startAndReadLine(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ child: ChildProcess; line: string }> {
  const child = spawn(process.execPath, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  started.push(child);
  let out = "";
  let err = "";
  child.stderr!.on("data", (d) => (err += d));
  const line = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start-up line; stderr: ${err}`)), 30_000);
    child.stdout!.on("data", (d) => {
      out += d;
      const nl = out.indexOf("\n");
      if (nl >= 0) {
        clearTimeout(timer);
        resolve(out.slice(0, nl));
      }
    });
    child.once("exit", () => reject(new Error(`exited before its start-up line; stderr: ${err}`)));
  });
  return { child, line };
}

describe.skipIf(process.platform !== "linux")("redis-server never outlives dev", () => {
  for (const signal of ["SIGKILL", "SIGHUP", "SIGQUIT"] as const) {
    it(`stops when dev gets ${signal}`, async () => {
      const configDir = tempConfigDir();
      const { child, line } = await startAndReadLine([BIN, "dev", "--port", "0", "--json", "--no-save"], {
        ...baseEnv(configDir),
      });
      const port = new URL(JSON.parse(line).redisUrl).port;
      const redis = childrenOf(child.pid!).find((pid) => commandOf(pid).startsWith("redis-server"));
      expect(redis, "dev's redis-server").toBeDefined();
      expect(fs.readFileSync(`/proc/${redis}/cmdline`, "utf8")).toContain(port);
      child.kill(signal);
      expect(await gone(redis!, 5_000), `redis-server ${redis} still runs after ${signal} to dev`).toBe(true);
    });
  }

  describe("both ways of tying redis-server to its parent", () => {
    let script: string;
    afterAll(() => fs.rmSync(path.dirname(script ?? "/nonexistent/x"), { recursive: true, force: true }));

    for (const tie of ["pdeathsig", "pipe"] as const) {
      it(`${tie}: the server dies with a parent killed by SIGKILL`, async () => {
        if (!script) {
          const dir = fs.mkdtempSync(path.join(os.tmpdir(), "um-tie-"));
          script = path.join(dir, "start.mjs");
          await build({
            stdin: {
              contents: `import { startRedisServer } from "./src/dev/redis-process.ts";
                const s = await startRedisServer({ tie: process.argv[2] });
                console.log(JSON.stringify({ pid: s.pid }));
                setInterval(() => {}, 1000);`,
              resolveDir: ROOT,
              loader: "ts",
            },
            bundle: true,
            platform: "node",
            format: "esm",
            outfile: script,
            logLevel: "silent",
          });
        }
        const { child, line } = await startAndReadLine([script, tie], { PATH: process.env.PATH });
        const { pid } = JSON.parse(line) as { pid: number };
        expect(commandOf(pid)).toMatch(/redis-server/);
        child.kill("SIGKILL");
        expect(await gone(pid, 5_000), `redis-server ${pid} still runs after its parent died`).toBe(true);
      });
    }
  });
});
