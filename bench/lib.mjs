// Shared helpers for the bench scripts: child processes that are always
// stopped, CLI runs with peak RSS, medians, machine facts, progress on stderr.
import { spawn, execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.dirname(BENCH_DIR);
export const TMP = path.join(ROOT, ".tmp", "bench");
/** The CLI launcher and the built code the bench runs (see snapshotBuild). */
export let CLI = path.join(ROOT, "bin", "upstash-memory.js");
export let DIST = path.join(ROOT, "dist");
const RSS_PROBE = path.join(BENCH_DIR, "rss-probe.mjs");

const started = Date.now();
export function log(msg) {
  const s = ((Date.now() - started) / 1000).toFixed(1).padStart(6);
  process.stderr.write(`[bench ${s}s] ${msg}\n`);
}

/**
 * What a script started, stopped in reverse order by `cleanup()`, also on
 * Ctrl-C or SIGTERM (then exit 130): `cleanups.push(() => thing.stop())`.
 */
export function cleanupStack() {
  const cleanups = [];
  const cleanup = async () => {
    while (cleanups.length)
      await cleanups
        .pop()()
        .catch(() => {});
  };
  for (const sig of ["SIGINT", "SIGTERM"]) process.once(sig, () => cleanup().finally(() => process.exit(130)));
  return { cleanups, cleanup };
}

export function tmpFile(name) {
  mkdirSync(TMP, { recursive: true });
  return path.join(TMP, name);
}

export function median(xs) {
  const v = xs.filter((x) => typeof x === "number" && Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return null;
  const m = Math.floor(v.length / 2);
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

export function max(xs) {
  const v = xs.filter((x) => typeof x === "number" && Number.isFinite(x));
  return v.length ? Math.max(...v) : null;
}

/**
 * Copy bin/, dist/ and package.json to .tmp/bench/cli and run the CLI from
 * there, so that a rebuild of dist/ while the bench runs cannot change (or
 * half-replace) what is measured. The copy is checked by running --version,
 * --help and `sessions list --help`; a copy taken mid-rebuild is taken again.
 * Packages still resolve from the project's node_modules (a parent folder).
 */
export async function snapshotBuild({ attempts = 5 } = {}) {
  const dest = path.join(TMP, "cli");
  let last = "";
  for (let i = 0; i < attempts; i++) {
    rmSync(dest, { recursive: true, force: true });
    mkdirSync(dest, { recursive: true });
    cpSync(path.join(ROOT, "dist"), path.join(dest, "dist"), { recursive: true });
    cpSync(path.join(ROOT, "bin"), path.join(dest, "bin"), { recursive: true });
    cpSync(path.join(ROOT, "package.json"), path.join(dest, "package.json"));
    const cli = path.join(dest, "bin", "upstash-memory.js");
    const bad = [["--version"], ["--help"], ["sessions", "list", "--help"]].find((args) => {
      const r = spawnSync(process.execPath, [cli, ...args], {
        encoding: "utf8",
        timeout: 30_000,
        env: { ...process.env, NO_COLOR: "1" },
      });
      if (r.status !== 0)
        last = `${args.join(" ")}: exit ${r.status}: ${(r.stderr || "").trim().split("\n").slice(0, 3).join(" ")}`;
      return r.status !== 0;
    });
    if (!bad) {
      CLI = cli;
      DIST = path.join(dest, "dist");
      return dest;
    }
    await new Promise((r) => setTimeout(r, 3000));
  }
  throw new Error(`the built CLI does not run (${last}): run \`npm run build\` and check its errors`);
}

// ---------------------------------------------------------------- children

/** Every child still running; killed on exit, whatever the way out. */
const live = new Set();
function killAll() {
  for (const child of live) {
    try {
      // Children run in their own process group: take their descendants too.
      process.kill(-child.pid, "SIGKILL");
    } catch {
      try {
        child.kill("SIGKILL");
      } catch {}
    }
  }
  live.clear();
}
process.on("exit", killAll);

export function track(child) {
  live.add(child);
  child.once("exit", () => live.delete(child));
  return child;
}

/** Stop a tracked child: SIGTERM, then SIGKILL after `graceMs`. */
export async function stopChild(child, graceMs = 3000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  try {
    process.kill(-child.pid, "SIGTERM");
  } catch {
    child.kill("SIGTERM");
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      child.kill("SIGKILL");
    }
  }, graceMs);
  await exited;
  clearTimeout(timer);
}

/** Start bench/endpoint-process.mjs for these Redis URLs; resolves with its URLs and a stop(). */
export async function startEndpointProcess({ redisUrls, token }) {
  const child = track(
    spawn(
      process.execPath,
      [path.join(BENCH_DIR, "endpoint-process.mjs"), JSON.stringify({ redisUrls, token, dist: DIST })],
      {
        stdio: ["pipe", "pipe", "pipe"],
        detached: true,
      },
    ),
  );
  let err = "";
  child.stderr.on("data", (c) => (err += c));
  const urls = await new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`endpoint did not start within 15 s: ${err}`)), 15_000);
    child.stdout.on("data", (c) => {
      out += c;
      const nl = out.indexOf("\n");
      if (nl >= 0) {
        clearTimeout(timer);
        try {
          resolve(JSON.parse(out.slice(0, nl)).urls);
        } catch (e) {
          reject(e);
        }
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`endpoint exited (${code}): ${err}`));
    });
  });
  return { urls, stop: () => stopChild(child), pid: child.pid };
}

// ---------------------------------------------------------------- measuring

let rssMethod;
/** GNU time when present (its %M is the peak RSS in KiB), else a --import probe. */
export function rssMethodName() {
  if (rssMethod) return rssMethod;
  rssMethod = "probe";
  if (existsSync("/usr/bin/time")) {
    try {
      const f = tmpFile("time-check.txt");
      execFileSync("/usr/bin/time", ["-f", "%M", "-o", f, process.execPath, "-e", "0"], { stdio: "ignore" });
      if (/^\d+\s*$/m.test(readFileSync(f, "utf8"))) rssMethod = "gnu-time";
    } catch {}
  }
  return rssMethod;
}

let runSeq = 0;

/**
 * Run one command as a child, measuring wall time, time to the first stdout
 * line, peak RSS and the output size.
 * @param {string[]} argv  program and arguments
 * @param {{ env?: object, stdin?: string, timeoutMs?: number, rss?: boolean, node?: boolean }} opts
 *   node: argv is a node script + args (the probe can be injected when GNU time is missing)
 */
export async function measure(argv, opts = {}) {
  const rssFile = tmpFile(`rss-${process.pid}-${++runSeq}.txt`);
  rmSync(rssFile, { force: true });
  let cmd = argv;
  const env = { ...process.env, ...opts.env };
  if (opts.rss !== false) {
    if (rssMethodName() === "gnu-time") cmd = ["/usr/bin/time", "-f", "%M", "-o", rssFile, ...argv];
    else if (opts.node) {
      cmd = [argv[0], "--import", RSS_PROBE, ...argv.slice(1)];
      env.BENCH_RSS_FILE = rssFile;
    }
  }
  const t0 = process.hrtime.bigint();
  const child = track(
    spawn(cmd[0], cmd.slice(1), {
      env,
      stdio: [opts.stdin === undefined ? "ignore" : "pipe", "pipe", "pipe"],
      detached: true,
    }),
  );
  let firstLineMs = null;
  let stdoutBytes = 0;
  let stdoutLines = 0;
  let stdoutHead = "";
  let stderr = "";
  child.stdout.on("data", (c) => {
    if (firstLineMs === null && c.includes(10)) firstLineMs = Number(process.hrtime.bigint() - t0) / 1e6;
    stdoutBytes += c.length;
    for (let i = c.indexOf(10); i >= 0; i = c.indexOf(10, i + 1)) stdoutLines++;
    if (stdoutHead.length < 4096) stdoutHead += c.toString("utf8", 0, Math.min(c.length, 4096));
  });
  child.stderr.on("data", (c) => {
    if (stderr.length < 65_536) stderr += c;
  });
  if (opts.stdin !== undefined) child.stdin.end(opts.stdin);
  const timeoutMs = opts.timeoutMs ?? 300_000;
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {}
  }, timeoutMs);
  const code = await new Promise((resolve) => child.once("close", (c, sig) => resolve(c ?? sig)));
  clearTimeout(timer);
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  let rssKiB = null;
  try {
    const text = readFileSync(rssFile, "utf8");
    const m = text.match(/(\d+)\s*$/);
    if (m) rssKiB = Number(m[1]);
  } catch {}
  rmSync(rssFile, { force: true });
  // GNU time prints "Command exited with non-zero status N" to its -o file too; the code is what counts.
  return { code, timedOut, wallMs, firstLineMs, rssKiB, stdoutBytes, stdoutLines, stdoutHead, stderr };
}

/** "stats: N HTTP requests, M Redis commands" from the CLI's --stats. */
export function parseCliStats(stderr) {
  const m = /stats:\s*(\d+)\s+HTTP requests?,\s*(\d+)\s+Redis commands?/.exec(stderr);
  return m ? { requests: Number(m[1]), commands: Number(m[2]) } : null;
}

// ---------------------------------------------------------------- machine

export function machineInfo() {
  let cpu = os.cpus()[0]?.model ?? "unknown";
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"));
    if (m) cpu = m[1].trim();
  } catch {}
  let redis = "unknown";
  try {
    redis = /v=(\S+)/.exec(execFileSync("redis-server", ["--version"], { encoding: "utf8" }))?.[1] ?? redis;
  } catch {}
  let available = null;
  try {
    const m = /^MemAvailable:\s*(\d+) kB/m.exec(readFileSync("/proc/meminfo", "utf8"));
    if (m) available = Number(m[1]) * 1024;
  } catch {}
  return {
    cpu,
    cores: os.availableParallelism?.() ?? os.cpus().length,
    memory: os.totalmem(),
    memoryAvailable: available,
    node: process.version,
    redis,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
  };
}

export function which(cmd) {
  try {
    return execFileSync("sh", ["-c", `command -v ${cmd}`], { encoding: "utf8" }).trim() || null;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------- formatting

export function fmtMs(ms) {
  if (ms === null || ms === undefined) return "—";
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  return `${Math.round(ms)} ms`;
}

/** Peak RSS as reported in KiB, shown in MB (10^6 bytes). */
export function fmtMB(kib) {
  if (kib === null || kib === undefined) return "—";
  return `${((kib * 1024) / 1e6).toFixed(1)} MB`;
}

export function kibToMB(kib) {
  return kib === null || kib === undefined ? null : (kib * 1024) / 1e6;
}

export function fmtInt(n) {
  if (n === null || n === undefined) return "—";
  return Math.round(n).toLocaleString("en-US");
}
