// Injected IO so every command is testable with plain streams, as gh does.
import fs from "node:fs";
import type { Readable, Writable } from "node:stream";

export type OutStream = Writable & { isTTY?: boolean; columns?: number; rows?: number };
export type InStream = Readable & { isTTY?: boolean };

export interface IO {
  stdout: OutStream;
  stderr: OutStream;
  stdin: InStream;
  env: NodeJS.ProcessEnv;
  /** Short text (help) straight to stdout, without building the stdout stream; stdout.write where absent. */
  writeOutSync?: (text: string) => void;
  /** Whether stdout is a terminal, told without building the stream where possible; stdout.isTTY where absent. */
  stdoutIsTTY?: () => boolean;
}

export function stdoutIsTTY(io: IO): boolean {
  return io.stdoutIsTTY ? io.stdoutIsTTY() : Boolean(io.stdout.isTTY);
}

/** A pipe, a file or a socket on fd 1 is no terminal: known from fstat, without building process.stdout. */
function stdoutSurelyNotTTY(): boolean {
  try {
    const s = fs.fstatSync(1);
    return s.isFIFO() || s.isFile() || s.isSocket();
  } catch {
    return false;
  }
}

/** `upstash-memory ... | head`: the reader went away; stop quietly, as Unix tools do. */
function onStdoutError(err: NodeJS.ErrnoException): void {
  if (err.code === "EPIPE") process.exit(0);
  throw err;
}

let stdoutWatched = false;

/**
 * Text to file descriptor 1 with a blocking write, which is what
 * process.stdout does for files and pipes on Linux anyway, but without
 * building that stream: on a pipe or a terminal it loads the net and stream
 * modules, a few milliseconds of `--help` and `--version`.
 */
export function writeStdoutSync(text: string): void {
  let buf = Buffer.from(text, "utf8");
  try {
    while (buf.length) buf = buf.subarray(fs.writeSync(1, buf));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "EPIPE") process.exit(0);
    // A non-blocking descriptor that is full: the stream waits for it.
    if (code === "EAGAIN") processStdout().write(buf);
    else throw err;
  }
}

function processStdout(): NodeJS.WriteStream {
  if (!stdoutWatched) {
    stdoutWatched = true;
    process.stdout.on("error", onStdoutError);
  }
  return process.stdout;
}

export function processIO(): IO {
  // Getters: Node builds process.stdout, process.stdin and process.stderr on
  // first access, which costs start-up time in commands that never use them.
  return {
    get stdout() {
      return processStdout();
    },
    writeOutSync: writeStdoutSync,
    stdoutIsTTY: () => !stdoutSurelyNotTTY() && Boolean(processStdout().isTTY),
    get stderr() {
      return process.stderr;
    },
    get stdin() {
      return process.stdin;
    },
    env: process.env,
  };
}

/**
 * Colours only on a TTY that can show them: never with --no-color, NO_COLOR
 * (https://no-color.org) or TERM=dumb; FORCE_COLOR turns them on anywhere
 * (FORCE_COLOR=0 or false turns them off).
 */
export function useColor(stream: OutStream, env: NodeJS.ProcessEnv, flag?: boolean): boolean {
  if (flag === false) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.FORCE_COLOR !== undefined) return !["0", "false"].includes(env.FORCE_COLOR.toLowerCase());
  if (isDumb(env)) return false;
  return Boolean(stream.isTTY);
}

/** A terminal that understands no escape sequences (Emacs shells, some CI logs). */
export function isDumb(env: NodeJS.ProcessEnv): boolean {
  return env.TERM === "dumb";
}

export function isInteractive(io: IO): boolean {
  return Boolean(io.stdin.isTTY && io.stderr.isTTY) && !io.env.CI;
}

/** Write text, resolving once the stream accepted it (respects backpressure). */
export function writeText(stream: OutStream, text: string): Promise<void> | void {
  if (!stream.write(text)) {
    return new Promise((resolve) => stream.once("drain", () => resolve()));
  }
}

/** Write a line, resolving once the stream accepted it. */
export function writeLine(stream: OutStream, line: string): Promise<void> | void {
  return writeText(stream, `${line}\n`);
}
