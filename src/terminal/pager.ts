// Long output on a terminal goes through a pager, as gh and git do:
// UPSTASH_MEMORY_PAGER, else PAGER, else `less -FRX` when it is installed.
// `--no-pager` or an empty UPSTASH_MEMORY_PAGER turns it off; it never runs
// when stdout is not a terminal. Output is held until it is longer than the
// screen, so a short answer is printed as it is and no pager starts at all.
// A pager that cannot start (not found) or fails (exits non-zero, as
// `PAGER=false` does) loses nothing: what it was given is printed straight to
// the terminal after a one-line warning naming it.
import { spawn, type ChildProcess } from "node:child_process";
import { accessSync, constants } from "node:fs";
import path from "node:path";
import { Writable } from "node:stream";
import type { IO } from "./io.js";

/** The pager command line, or null when there is none to use. */
export function pagerCommand(env: NodeJS.ProcessEnv, flag?: boolean): string | null {
  if (flag === false) return null;
  const own = env.UPSTASH_MEMORY_PAGER;
  if (own !== undefined) return usable(own);
  if (env.PAGER !== undefined && env.PAGER.trim() !== "") return usable(env.PAGER);
  // A dumb terminal cannot run less's full-screen mode.
  if (env.TERM === "dumb") return null;
  return onPath("less", env.PATH) ? "less -FRX" : null;
}

/** `cat` (or nothing) pages nothing: print directly instead. */
function usable(command: string): string | null {
  const c = command.trim();
  return c === "" || c === "cat" ? null : c;
}

function onPath(name: string, searchPath = ""): boolean {
  return searchPath.split(path.delimiter).some((dir) => {
    if (!dir) return false;
    try {
      accessSync(path.join(dir, name), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** A copy of what the pager was given, kept for printing it ourselves if the pager fails. */
const COPY_LIMIT = 16 * 1024 * 1024;

/** The program a pager command runs, when it is a plain word that can be checked (else undefined). */
function programOf(command: string): string | undefined {
  const word = command.trim().split(/\s+/)[0];
  return /^[\w./+-]+$/.test(word) ? word : undefined;
}

function runnable(program: string, env: NodeJS.ProcessEnv): boolean {
  if (!program.includes("/")) return onPath(program, env.PATH);
  try {
    accessSync(program, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * stdout for a paged command: holds output until it fills the screen, then
 * starts the pager and streams through it (its stdin's backpressure included).
 * If the reader quits the pager early, the rest is dropped quietly.
 */
export class PagedStdout extends Writable {
  readonly isTTY = true;
  readonly columns?: number;
  private held: Buffer[] = [];
  private rowsHeld = 0;
  private pager?: ChildProcess;
  private quit = false;
  private pagerExit?: Promise<void>;
  /** The pager failed: output goes straight to the terminal. */
  private direct = false;
  /** What the pager was given, until it closes (null: too much to keep). */
  private copy: Buffer[] | null = [];
  private copied = 0;
  private pagerClosed = false;
  private readonly ignoreInterrupt = () => {};

  constructor(
    private readonly io: IO,
    private readonly command: string,
    /** Terminal rows one line of output takes (long lines wrap). */
    private readonly rowsOf: (line: string) => number,
  ) {
    super({ decodeStrings: true });
    this.columns = io.stdout.columns;
  }

  get paging(): boolean {
    return this.pager !== undefined;
  }

  private get screenRows(): number {
    return this.io.stdout.rows && this.io.stdout.rows > 2 ? this.io.stdout.rows : 24;
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    if (this.direct) {
      this.toTerminal(chunk, done);
      return;
    }
    if (this.quit) {
      this.keep(chunk);
      done();
      return;
    }
    if (this.pager) {
      this.toPager(chunk, done);
      return;
    }
    this.held.push(chunk);
    const text = chunk.toString("utf8");
    for (const line of text.split("\n").slice(0, -1)) this.rowsHeld += this.rowsOf(line);
    if (!text.endsWith("\n")) this.rowsHeld += 1;
    // The last row stays free for the shell prompt (or less's own prompt).
    if (this.rowsHeld < this.screenRows) {
      done();
      return;
    }
    const held = Buffer.concat(this.held);
    this.held = [];
    if (!this.start()) {
      this.toTerminal(held, done);
      return;
    }
    this.toPager(held, done);
  }

  private toTerminal(chunk: Buffer, done: (err?: Error | null) => void): void {
    if (!chunk.length || this.io.stdout.write(chunk)) done();
    else this.io.stdout.once("drain", () => done());
  }

  private keep(chunk: Buffer): void {
    if (this.pagerClosed || !this.copy) return;
    this.copied += chunk.length;
    if (this.copied > COPY_LIMIT) this.copy = null;
    else this.copy.push(chunk);
  }

  /** The pager could not show the output: warn once, print what it was given, and print the rest directly. */
  private fallBack(why: string): void {
    this.io.stderr.write(`upstash-memory: the pager '${this.command}' ${why}; printing without it\n`);
    this.direct = true;
    this.quit = false;
    if (this.copy) this.io.stdout.write(Buffer.concat(this.copy));
    this.copy = null;
  }

  override _final(done: (err?: Error | null) => void): void {
    if (!this.pager || this.direct) {
      const held = Buffer.concat(this.held);
      this.held = [];
      if (!held.length || this.io.stdout.write(held)) {
        done();
        return;
      }
      this.io.stdout.once("drain", () => done());
      return;
    }
    this.pager.stdin?.end();
    void this.pagerExit!.then(() => done());
  }

  /** Starts the pager; false when it cannot run (then the output is printed directly). */
  private start(): boolean {
    const program = programOf(this.command);
    if (program !== undefined && !runnable(program, this.io.env)) {
      this.fallBack("was not found");
      return false;
    }
    const env = { ...this.io.env };
    // As git does: less with colours, quitting when the text fits, not clearing the screen.
    env.LESS ??= "FRX";
    env.LV ??= "-c";
    const child = spawn(this.command, { shell: true, stdio: ["pipe", "inherit", "inherit"], env });
    this.pager = child;
    // Ctrl-C belongs to the pager while it runs (less uses it to stop a search).
    process.on("SIGINT", this.ignoreInterrupt);
    this.pagerExit = new Promise((resolve) => {
      const finish = () => {
        process.removeListener("SIGINT", this.ignoreInterrupt);
        resolve();
      };
      child.once("close", (code) => {
        this.pagerClosed = true;
        // Quitting the pager early is exit 0 (the rest is dropped); a failure prints it all here.
        if (code !== 0 && code !== null) this.fallBack(`failed (exit code ${code})`);
        this.copy = null;
        finish();
      });
      child.once("error", (err) => {
        this.pagerClosed = true;
        this.fallBack(`cannot run (${err.message})`);
        finish();
      });
    });
    child.stdin!.on("error", () => {
      // EPIPE: the reader quit the pager before the end.
      this.quit = true;
    });
    return true;
  }

  private toPager(chunk: Buffer, done: (err?: Error | null) => void): void {
    const stdin = this.pager!.stdin!;
    this.keep(chunk);
    if (this.quit || stdin.destroyed) {
      this.quit = true;
      done();
      return;
    }
    if (stdin.write(chunk)) {
      done();
      return;
    }
    const resume = () => {
      stdin.removeListener("drain", resume);
      stdin.removeListener("close", resume);
      done();
    };
    stdin.once("drain", resume);
    stdin.once("close", resume);
  }

  /** Resolves when everything written was shown (or the pager was closed). */
  finish(): Promise<void> {
    return new Promise((resolve) => {
      this.end(() => resolve());
    });
  }
}
