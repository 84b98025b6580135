// A throwaway redis-server for `upstash-memory dev` and the tests: in memory only
// (no RDB, no AOF), loopback only, on a free port, gone when stopped. It gets a
// random password (requirepass), so another local user cannot reach the data
// around the REST token: the password is passed on stdin, never on the command
// line where `ps` would show it, and lives only in the handle's URL.
import { randomBytes } from "node:crypto";
import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { CliError, ExitCode } from "../errors/errors.js";

export interface RedisServerHandle {
  /** redis://:PASSWORD@127.0.0.1:PORT: a secret, never to be printed as it is. */
  url: string;
  port: number;
  password: string;
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
}

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
      return await launch(port, opts.args ?? [], opts.denyCommands ?? []);
    } catch (err) {
      if (err instanceof CliError) throw err;
      lastError = err as Error;
    }
  }
  throw new CliError(`could not start redis-server: ${lastError?.message ?? "unknown error"}`, ExitCode.failure);
}

async function launch(port: number, extra: string[], deny: string[]): Promise<RedisServerHandle> {
  const password = randomBytes(24).toString("hex");
  // "-": the rest of the configuration comes from stdin.
  const child = spawn(
    "redis-server",
    ["-", "--save", "", "--appendonly", "no", "--bind", HOST, "--port", String(port), ...extra],
    { stdio: ["pipe", "pipe", "pipe"] },
  );
  child.stdin!.on("error", () => {}); // redis-server missing or gone: reported below.
  // The default user with the password (requirepass, as an ACL rule when commands are denied).
  const denied = deny.map((c) => ` -${c.toLowerCase()}`).join("");
  child.stdin!.end(deny.length ? `user default on >${password} ~* &* +@all${denied}\n` : `requirepass ${password}\n`);
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
    if (ended?.error?.code === "ENOENT") throw new CliError(NOT_INSTALLED, ExitCode.failure);
    const log = lastLogLine(tail);
    throw new Error(`redis-server on port ${port} did not start${log ? `: ${log}` : ""}`);
  }

  let stopped: Promise<void> | undefined;
  return {
    url: `redis://:${password}@${HOST}:${port}`,
    port,
    password,
    stop: () => {
      stopped ??= terminate(child, exited).finally(() => process.removeListener("exit", killOnExit));
      return stopped;
    },
  };
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
