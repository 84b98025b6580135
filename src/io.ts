// Injected IO so every command is testable with plain streams, as gh does.
import type { Readable, Writable } from "node:stream";

export type OutStream = Writable & { isTTY?: boolean; columns?: number; rows?: number };
export type InStream = Readable & { isTTY?: boolean };

export interface IO {
  stdout: OutStream;
  stderr: OutStream;
  stdin: InStream;
  env: NodeJS.ProcessEnv;
}

export function processIO(): IO {
  // Getters: Node builds process.stdin and process.stderr on first access, which
  // costs start-up time in commands that never read input or write to stderr.
  return {
    stdout: process.stdout,
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
  return writeText(stream, line + "\n");
}
