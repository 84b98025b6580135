// A throwaway redis-server for `upstash-memory dev` and the tests: in memory only
// (no RDB, no AOF), loopback only, on a free port, gone when stopped. It gets a
// random password (requirepass), so another local user cannot reach the data
// around the REST token: the password is passed on stdin, never on the command
// line where `ps` would show it, and lives only in the handle's URL. It has one
// database (`databases 1`), so no command at any depth reaches a database that
// FLUSHDB, DBSIZE and SCAN never see. It never outlives the process that
// started it, however that process ends (Ctrl-C, SIGHUP, SIGKILL, a crash): on
// Linux the kernel kills it when its parent dies (setpriv --pdeathsig KILL);
// elsewhere, or without setpriv, a watchdog shell holds a pipe from this
// process and kills it when the pipe closes, which the kernel does on any exit.
import { randomBytes } from "node:crypto";
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { CliError, ExitCode } from "../errors/errors.js";

export interface RedisServerHandle {
  /** redis://:PASSWORD@127.0.0.1:PORT: a secret, never to be printed as it is. */
  url: string;
  port: number;
  password: string;
  /** redis-server's process id. */
  pid: number;
  stop(): Promise<void>;
}

const HOST = "127.0.0.1";
const START_ATTEMPTS = 5;
const READY_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;
/** Bytes of redis-server output kept to explain a failed start. */
const LOG_TAIL_BYTES = 4_096;

const NOT_INSTALLED =
  "redis-server is not installed: install it (apt install redis-server, brew install redis) or pass --redis redis://host:port";

export interface RedisServerOptions {
  port?: number;
  /** More redis-server arguments (a test cluster's node: --cluster-enabled yes --dir ...). */
  args?: string[];
  /**
   * Commands nobody may run on this server, not even from a script (an ACL on
   * the default user): what a request's policy refuses could otherwise be
   * called through EVAL with the full token.
   */
  denyCommands?: string[];
  /** How redis-server is tied to this process's life; the default is the best this system offers. */
  tie?: LifeTie;
}

/** `pdeathsig`: the kernel kills redis-server with its parent (Linux, setpriv). `pipe`: a watchdog shell does. */
export type LifeTie = "pdeathsig" | "pipe";

/** setpriv (util-linux) on the PATH, on Linux. */
function setprivPath(): string | undefined {
  if (process.platform !== "linux") return undefined;
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, "setpriv");
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * The watchdog: a background shell that reads its copy of this process's pipe
 * (descriptor 4) until it closes, then kills redis-server, which the shell
 * itself becomes (exec keeps the pid, $$). The kernel closes the pipe when this
 * process ends, however it ends. redis-server's configuration arrives on
 * descriptor 3, closed in the watchdog so redis-server sees its end.
 */
const WATCHDOG =
  "exec 4<&0; (exec 3<&-; while read -r _ <&4; do :; done; kill -9 $$ 2>/dev/null) & " +
  'exec redis-server "$@" <&3 3<&- 4<&-';

export async function startRedisServer(opts: RedisServerOptions = {}): Promise<RedisServerHandle> {
  // A port picked by listening on 0 can be taken by someone else before
  // redis-server binds it, so a failed start is retried on a new port. A port
  // chosen by the caller is tried once.
  const fixedPort = opts.port || undefined;
  const attempts = fixedPort ? 1 : START_ATTEMPTS;
  let lastError: Error | undefined;
  for (let i = 0; i < attempts; i++) {
    const port = fixedPort ?? (await freePort());
    try {
      return await launch(port, opts.args ?? [], opts.denyCommands ?? [], opts.tie);
    } catch (err) {
      if (err instanceof CliError) throw err;
      lastError = err as Error;
    }
  }
  throw new CliError(`could not start redis-server: ${lastError?.message ?? "unknown error"}`, ExitCode.failure);
}

async function launch(port: number, extra: string[], deny: string[], tie?: LifeTie): Promise<RedisServerHandle> {
  const password = randomBytes(24).toString("hex");
  // "-": the rest of the configuration comes from stdin.
  const args = [
    "-",
    "--save",
    "",
    "--appendonly",
    "no",
    "--databases",
    "1",
    "--bind",
    HOST,
    "--port",
    String(port),
    ...extra,
  ];
  // The default user with the password (requirepass, as an ACL rule when commands are denied).
  const denied = deny.map((c) => ` -${c.toLowerCase()}`).join("");
  const config = deny.length ? `user default on >${password} ~* &* +@all${denied}\n` : `requirepass ${password}\n`;
  const child = spawnTied(args, config, tie ?? (setprivPath() ? "pdeathsig" : "pipe"));
  let tail = "";
  const keepTail = (chunk: Buffer) => {
    tail = (tail + chunk.toString("utf8")).slice(-LOG_TAIL_BYTES);
  };
  child.stdout!.on("data", keepTail);
  child.stderr!.on("data", keepTail);

  let ended: { error?: NodeJS.ErrnoException } | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once("error", (error) => {
      ended = { error };
      resolve();
    });
    child.once("exit", () => {
      ended ??= {};
      resolve();
    });
  });
  // Should this process die without calling stop(), take redis-server along.
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);

  const ready = await waitUntilServing(port, password, child.pid, () => ended === undefined);
  if (!ready) {
    process.removeListener("exit", killOnExit);
    await terminate(child, exited);
    // 127: setpriv or the shell found no redis-server to run.
    if (ended?.error?.code === "ENOENT" || child.exitCode === 127) throw new CliError(NOT_INSTALLED, ExitCode.failure);
    const log = lastLogLine(tail);
    throw new Error(`redis-server on port ${port} did not start${log ? `: ${log}` : ""}`);
  }

  let stopped: Promise<void> | undefined;
  return {
    url: `redis://:${password}@${HOST}:${port}`,
    port,
    password,
    pid: child.pid!,
    stop: () => {
      stopped ??= terminate(child, exited).finally(() => {
        process.removeListener("exit", killOnExit);
        child.stdin?.destroy(); // the watchdog's pipe, if there is one: it ends too
      });
      return stopped;
    },
  };
}

/** redis-server with `config` on its stdin, tied to this process's life. */
function spawnTied(args: string[], config: string, tie: LifeTie): ChildProcess {
  let child: ChildProcess;
  if (tie === "pdeathsig") {
    const setpriv = setprivPath();
    if (!setpriv) throw new CliError("setpriv (util-linux) is not installed", ExitCode.failure);
    child = spawn(setpriv, ["--pdeathsig", "KILL", "--", "redis-server", ...args], { stdio: ["pipe", "pipe", "pipe"] });
    child.stdin!.on("error", () => {}); // redis-server missing or gone: reported below.
    child.stdin!.end(config);
    return child;
  }
  // The configuration travels on descriptor 3; stdin stays open, the watchdog's lifeline.
  child = spawn("/bin/sh", ["-c", WATCHDOG, "sh", ...args], { stdio: ["pipe", "pipe", "pipe", "pipe"] });
  const configPipe = child.stdio[3] as NodeJS.WritableStream & { on(e: "error", f: () => void): void };
  configPipe.on("error", () => {});
  configPipe.end(config);
  child.stdin!.on("error", () => {});
  return child;
}

/** The last line redis-server logged, without its "pid:role date time level" prefix. */
function lastLogLine(log: string): string {
  const last =
    log
      .split("\n")
      .map((l) => l.trim())
      .filter(Boolean)
      .at(-1) ?? "";
  return last.replace(/^\d+:[A-Z] \d+ \w+ \d+ [\d:.]+ [.*#-] /, "");
}

async function terminate(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  child.kill("SIGTERM");
  const done = await Promise.race([exited.then(() => true), sleep(STOP_TIMEOUT_MS, false, { ref: false })]);
  if (!done) {
    child.kill("SIGKILL");
    await exited;
  }
}

/** A port nobody listens on right now: bind port 0, read what the OS chose, release it. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once("error", reject);
    srv.listen(0, HOST, () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Poll until the redis-server with this pid answers on the port (true), or it
 * died or the deadline passed (false). Asking for its process_id rather than
 * sending PING keeps another server already on the port from passing for ours.
 */
async function waitUntilServing(
  port: number,
  password: string,
  pid: number | undefined,
  alive: () => boolean,
): Promise<boolean> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (alive() && Date.now() < deadline) {
    if (pid !== undefined && (await serverPid(port, password)) === pid) return true;
    await sleep(50);
  }
  return false;
}

/** The process_id from `INFO server` of whatever listens on the port and takes the password, if anything does. */
function serverPid(port: number, password: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: HOST, port });
    let reply = "";
    const finish = (pid: number | undefined) => {
      socket.destroy();
      resolve(pid);
    };
    socket.setTimeout(1_000, () => finish(undefined));
    socket.once("error", () => finish(undefined));
    socket.once("connect", () => socket.write(`AUTH ${password}\r\nINFO server\r\n`));
    socket.on("data", (chunk) => {
      reply += chunk.toString("latin1");
      // An error reply (still loading, ...) means not ready yet.
      if (reply.startsWith("-")) finish(undefined);
      const match = /\r\nprocess_id:(\d+)\r\n/.exec(reply);
      if (match) finish(Number(match[1]));
    });
  });
}
