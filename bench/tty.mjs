// `sessions list` drawn as a table on a terminal against the same rows piped
// as tab-separated lines: the terminal should cost about what the pipe does.
// The terminal is a real pseudo-terminal (util-linux `script`), sized by stty;
// the pager is turned off so that rendering, not paging, is measured.
import { measure, median, which } from "./lib.mjs";

const quote = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;

/**
 * Alternates piped and terminal runs of the same command.
 * @returns {Promise<{ pipedMs: number, ttyMs: number, ttyLines: number, pipedLines: number, runs: number } | { skipped: string }>}
 */
export async function terminalTable({ argv, env, runs, columns = 120, rows = 40 }) {
  if (!which("script")) return { skipped: "util-linux `script` not installed" };
  const noPager = { ...env, UPSTASH_MEMORY_PAGER: "", TERM: "xterm-256color" };
  const piped = [];
  const tty = [];
  for (let i = 0; i < runs; i++) {
    piped.push(await measure(argv, { env: noPager, rss: false, timeoutMs: 300_000 }));
    const line = `stty cols ${columns} rows ${rows}; exec ${argv.map(quote).join(" ")}`;
    tty.push(await measure(["script", "-qfec", line, "/dev/null"], { env: noPager, rss: false, timeoutMs: 300_000 }));
  }
  const bad = [...piped, ...tty].find((m) => m.code !== 0);
  if (bad) return { skipped: `exit ${bad.code}: ${bad.stderr.trim().split("\n")[0]?.slice(0, 160)}` };
  return {
    pipedMs: median(piped.map((m) => m.wallMs)),
    ttyMs: median(tty.map((m) => m.wallMs)),
    pipedLines: median(piped.map((m) => m.stdoutLines)),
    ttyLines: median(tty.map((m) => m.stdoutLines)),
    runs,
  };
}
