// Runs the CLI on a real pseudo-terminal (util-linux `script`), answering
// prompts as they appear, as a person at a terminal would.
import { spawn } from "node:child_process";
import { BIN, baseEnv, tempConfigDir } from "./cli.js";

export interface PtyStep {
  /** Text to wait for on the screen. */
  waitFor: string;
  /** Keys to type then (\r is Enter). */
  send: string;
}

export interface PtyResult {
  code: number;
  /** Everything the terminal showed, escape sequences included. */
  screen: string;
}

/** The screen without colour and cursor sequences, as lines (the pty ends them with \r\n). */
export function screenLines(screen: string): string[] {
  return screen
    .replace(/\u001b\[[0-9;?]*[A-Za-z]/g, "")
    .replace(/\r(?!\n)/g, "\n")
    .split(/\r?\n/);
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export interface PtyOptions {
  env?: Record<string, string>;
  configDir?: string;
  timeoutMs?: number;
  /** Terminal size (default 100×40). */
  columns?: number;
  rows?: number;
}

export function runInPty(args: string[], steps: PtyStep[], opts: PtyOptions = {}): Promise<PtyResult> {
  const columns = opts.columns ?? 100;
  const rows = opts.rows ?? 40;
  // The terminal's size is set on the pseudo-terminal itself, as a window would.
  const command = `stty cols ${columns} rows ${rows}; exec ${[process.execPath, BIN, ...args].map(quote).join(" ")}`;
  const env = {
    ...baseEnv(opts.configDir ?? tempConfigDir()),
    TERM: "xterm-256color",
    COLUMNS: String(columns),
    LINES: String(rows),
    ...opts.env,
  };
  delete (env as Record<string, string | undefined>).CI;
  delete (env as Record<string, string | undefined>).NO_COLOR;
  Object.assign(env, opts.env);
  const child = spawn("script", ["-qfec", command, "/dev/null"], { env, stdio: ["pipe", "pipe", "pipe"] });
  let screen = "";
  // Each step looks only at what appeared after the previous step's keys were sent.
  let from = 0;
  const pending = [...steps];
  const onData = (d: Buffer) => {
    screen += d.toString("utf8");
    const step = pending[0];
    if (step && screen.indexOf(step.waitFor, from) !== -1) {
      pending.shift();
      setTimeout(() => {
        from = screen.length;
        child.stdin.write(step.send);
      }, 50);
    }
  };
  child.stdout.on("data", onData);
  child.stderr.on("data", onData);
  // A process the harness had to kill did not do what the test scripted: that fails the test,
  // never passes as an exit code (1 is also what answering "no" gives).
  const timeoutMs = opts.timeoutMs ?? 20_000;
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill("SIGKILL");
  }, timeoutMs);
  return new Promise((resolve, reject) => {
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const tail = screenLines(screen).slice(-8).join("\n");
      const waiting = pending.map((s) => JSON.stringify(s.waitFor)).join(", ");
      if (timedOut)
        reject(
          new Error(
            `killed after ${timeoutMs} ms${waiting ? `, still waiting for ${waiting}` : ""}; the screen ended with:\n${tail}`,
          ),
        );
      else if (pending.length)
        reject(
          new Error(`the process ended before the keys for ${waiting} were sent; the screen ended with:\n${tail}`),
        );
      else if (code === null) reject(new Error(`ended by ${signal}; the screen ended with:\n${tail}`));
      else resolve({ code, screen });
    });
  });
}
