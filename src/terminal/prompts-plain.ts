// Questions for a terminal that understands no escape sequences (TERM=dumb:
// Emacs's shell, some IDE consoles, serial lines). Inquirer redraws its prompt
// with cursor moves and colours, which such a terminal prints as garbage; these
// ask one plain line at a time and read the answer as the terminal sends it.
import readline from "node:readline";
import type { IO } from "./io.js";
import type { Choice } from "./prompts.js";

/** Named as inquirer names it, so prompts.ts handles both the same way (exit 130). */
function aborted(): Error {
  const err = new Error("the question was not answered");
  err.name = "AbortPromptError";
  return err;
}

/** One line from the terminal (its own echo shows what is typed); end of input aborts. */
function line(io: IO, question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const rl = readline.createInterface({ input: io.stdin, output: io.stderr, terminal: false });
    let answered = false;
    rl.question(question, (answer) => {
      answered = true;
      rl.close();
      resolve(answer);
    });
    rl.once("close", () => {
      if (!answered) reject(aborted());
    });
  });
}

export async function plainConfirm(io: IO, message: string): Promise<boolean> {
  for (;;) {
    const a = (await line(io, `${message} (y/N) `)).trim().toLowerCase();
    if (a === "" || a === "n" || a === "no") return false;
    if (a === "y" || a === "yes") return true;
    io.stderr.write("  answer y or n\n");
  }
}

export async function plainText(io: IO, message: string, validate?: (v: string) => true | string): Promise<string> {
  for (;;) {
    const a = await line(io, `${message}: `);
    const verdict = validate ? validate(a) : true;
    if (verdict === true) return a;
    io.stderr.write(`  ${verdict}\n`);
  }
}

/**
 * A secret, read with the terminal's echo off (raw mode, where the terminal
 * allows it): nothing typed is shown. Backspace edits; Ctrl-C or Ctrl-D aborts.
 */
export async function plainSecret(io: IO, message: string): Promise<string> {
  const stdin = io.stdin as IO["stdin"] & { setRawMode?: (raw: boolean) => unknown };
  if (!stdin.setRawMode) return plainText(io, message, (v) => (v.trim() ? true : "required"));
  for (;;) {
    io.stderr.write(`${message}: `);
    const value = await new Promise<string>((resolve, reject) => {
      let typed = "";
      const done = (err?: Error) => {
        stdin.removeListener("data", onData);
        stdin.setRawMode!(false);
        stdin.pause();
        io.stderr.write("\n");
        if (err) reject(err);
        else resolve(typed);
      };
      const onData = (chunk: Buffer | string) => {
        for (const ch of String(chunk)) {
          if (ch === "\r" || ch === "\n") return done();
          if (ch === "\u0003" || ch === "\u0004") return done(aborted());
          if (ch === "\u007f" || ch === "\b") typed = Array.from(typed).slice(0, -1).join("");
          else if (ch >= " ") typed += ch;
        }
      };
      stdin.setRawMode!(true);
      stdin.on("data", onData);
      stdin.resume();
    });
    if (value.trim()) return value;
    io.stderr.write("  required\n");
  }
}

const LISTED = 20;

/** A numbered list; a number picks, other text narrows the list (one match picks it). */
export async function plainPick(io: IO, message: string, choices: Choice[]): Promise<string> {
  let shown = choices;
  for (;;) {
    const lines = shown.slice(0, LISTED).map((c, i) => `  ${String(i + 1).padStart(2)}) ${c.name}`);
    if (shown.length > LISTED) lines.push(`  … and ${shown.length - LISTED} more: type part of an id to narrow`);
    io.stderr.write(`${message}\n${lines.join("\n")}\n`);
    const a = (await line(io, "number or part of an id: ")).trim();
    const n = /^\d+$/.test(a) ? Number(a) : NaN;
    if (n >= 1 && n <= Math.min(shown.length, LISTED)) return shown[n - 1].value;
    const narrowed = choices.filter((c) => c.name.toLowerCase().includes(a.toLowerCase()));
    if (narrowed.length === 1) return narrowed[0].value;
    if (narrowed.length === 0) io.stderr.write(`  nothing matches '${a}'\n`);
    else shown = narrowed;
  }
}
