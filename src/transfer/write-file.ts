// The one way the CLI writes a file (export --out, every --backup).
//
//   const file = checkOutputFile(path, { replace: false });   // first, before any Redis write
//   ...
//   await writeOutputFile(file, lines);                       // later: whole file or nothing
//
// `-` is stdout, and a character device (/dev/stdout, /dev/null) or a FIFO
// (`--out >(gzip > f.gz)`) is written straight through: no temporary file, no
// rename, and no "already exists". Nothing is opened until the first line is
// there to write, so a command that finds nothing (or fails first) leaves no
// file at all.
//
// checkOutputFile throws a UsageError (exit 2, one line) when the file could not
// be written: missing folder, a folder or other non-file in the way, no
// permission, or, unless `replace`, anything already at the path (a symlink
// included: it is never followed). Commands call it before they change
// anything, so a bad path never leaves a half-done change behind.
//
// writeOutputFile writes to a new temporary file in the same folder (created
// exclusively, mode 0600), flushes it to disk, then moves it into place: with
// `replace`, by rename (an existing file or symlink is replaced, never written
// through); without, by a hard link that fails if anything appeared at the
// path meanwhile. So a file that exists is always a complete one, and a backup
// never replaces an earlier backup. The temporary file is removed on every way
// out: an error, process.exit(), and SIGINT, SIGTERM or SIGHUP.
import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { safeJson } from "../text/sanitize.js";
import { CliError, UsageError } from "../errors/errors.js";
import type { ExportLine } from "./format.js";

export interface OutputFile {
  /** The path as the user gave it (used in messages). */
  readonly path: string;
  /** May an existing file at the path be replaced (export --force)? */
  readonly replace: boolean;
  /** `-` (stdout), a character device or a FIFO: written straight through, never replaced. */
  readonly direct?: "stdout" | "stream";
}

export interface OutputFileOptions {
  /** Replace an existing file (never a folder). Default: refuse anything at the path. */
  replace?: boolean;
  /** Second line when the path is taken, e.g. "pass --force to replace it". */
  existsHint?: string;
}

const REASONS: Record<string, string> = {
  ENOENT: "no such folder",
  ENOTDIR: "a part of the path is not a folder",
  EACCES: "permission denied",
  EPERM: "permission denied",
  EROFS: "read-only file system",
  ENOSPC: "no space left on the device",
  EDQUOT: "disk quota exceeded",
  EISDIR: "it is a folder",
  EEXIST: "it already exists",
  ENAMETOOLONG: "the name is too long",
  EPIPE: "the reader went away",
  ENXIO: "no device or reader at the path",
  EXDEV: "cannot move the temporary file into place",
};

function reason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  return (code && REASONS[code]) ?? code ?? (err as Error)?.message ?? String(err);
}

/** Checks that `file` can be written, before anything else happens. */
export function checkOutputFile(file: string, opts: OutputFileOptions = {}): OutputFile {
  const fail = (why: string, hint?: string): never => {
    throw new UsageError(`cannot write ${file}: ${why}`, hint);
  };
  if (file === "-") return { path: file, replace: false, direct: "stdout" };
  if (file === "" || file.endsWith("/") || file.endsWith(path.sep)) fail("expected a file name, not a folder");
  const dir = path.dirname(path.resolve(file));
  let dirStat: fs.Stats;
  try {
    dirStat = fs.statSync(dir);
  } catch (err) {
    return fail(reason(err));
  }
  if (!dirStat.isDirectory()) fail(`${path.dirname(file)} is not a folder`);
  let existing: fs.Stats | undefined;
  try {
    existing = fs.lstatSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") fail(reason(err));
  }
  if (existing) {
    // A device or a pipe, or a link to one (/dev/stdout -> /proc/self/fd/1), is written through; any other link is in the way.
    const target = existing.isSymbolicLink() ? statOrUndefined(file) : existing;
    if (target && isStream(target))
      return { path: file, replace: false, direct: isStdout(target) ? "stdout" : "stream" };
    if (existing.isDirectory()) fail("it is a folder");
    if (!opts.replace)
      fail(existing.isSymbolicLink() ? "a symbolic link is in the way" : "it already exists", opts.existsHint);
    if (!existing.isFile() && !existing.isSymbolicLink()) fail("it is not a regular file");
  }
  // The surest check that the folder takes new files: create (and remove) one.
  const probe = tempName(file);
  track(probe);
  try {
    fs.closeSync(fs.openSync(probe, "wx", 0o600));
    fs.rmSync(probe, { force: true });
  } catch (err) {
    fail(reason(err));
  } finally {
    untrack(probe);
  }
  return { path: file, replace: Boolean(opts.replace) };
}

function isStream(s: fs.Stats): boolean {
  return s.isCharacterDevice() || s.isFIFO() || s.isSocket();
}

/** Our own stdout (`/dev/stdout` when it is a socket, which cannot be opened by name). */
function isStdout(s: fs.Stats): boolean {
  try {
    const out = fs.fstatSync(1);
    return out.dev === s.dev && out.ino === s.ino;
  } catch {
    return false;
  }
}

function statOrUndefined(file: string): fs.Stats | undefined {
  try {
    return fs.statSync(file);
  } catch {
    return undefined;
  }
}

// Temporary files not yet in place, removed however the process ends.
const liveTemps = new Set<string>();
const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

function removeLiveTemps(): void {
  for (const t of liveTemps) fs.rmSync(t, { force: true });
  liveTemps.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  removeLiveTemps();
  // Another handler (summarize's Ctrl-C) ends the command itself; else end as the signal would have.
  if (process.listenerCount(signal) > 1) return;
  untrackAll();
  process.kill(process.pid, signal);
}

function untrackAll(): void {
  for (const s of SIGNALS) process.removeListener(s, onSignal);
  process.removeListener("exit", removeLiveTemps);
}

function track(temp: string): void {
  if (!liveTemps.size) {
    // First in line, so the file is gone before any other handler ends the process.
    for (const s of SIGNALS) process.prependListener(s, onSignal);
    process.once("exit", removeLiveTemps);
  }
  liveTemps.add(temp);
}

function untrack(temp: string): void {
  liveTemps.delete(temp);
  if (!liveTemps.size) untrackAll();
}

function tempName(file: string): string {
  const abs = path.resolve(file);
  return path.join(path.dirname(abs), `.${path.basename(abs)}.${randomBytes(6).toString("hex")}.tmp`);
}

/** Moves the complete temporary file to the path; without `replace`, never over anything. */
function moveIntoPlace(temp: string, file: OutputFile): void {
  if (file.replace) {
    fs.renameSync(temp, file.path);
    return;
  }
  try {
    fs.linkSync(temp, file.path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "EEXIST") throw err;
    // File systems without hard links: an exclusive copy (O_EXCL never follows a symlink).
    fs.copyFileSync(temp, file.path, fs.constants.COPYFILE_EXCL);
  }
  fs.rmSync(temp, { force: true });
}

function fsyncFolder(file: string): void {
  try {
    const fd = fs.openSync(path.dirname(path.resolve(file)), "r");
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // Not every platform lets a folder be opened; the file itself is already on disk.
  }
}

/**
 * Writes every line (a newline is added to each) to `file`, which came from
 * checkOutputFile. Returns the number of lines. Nothing is opened before the
 * first line, so no line means no file. On any error nothing is left at the
 * path and the temporary file is removed; the error is one line (exit 1).
 */
export async function writeOutputFile(
  file: OutputFile,
  lines: AsyncIterable<string> | Iterable<string>,
  onLine?: (n: number) => void,
): Promise<number> {
  const temp = file.direct ? undefined : tempName(file.path);
  let stream: fs.WriteStream | undefined;
  const errors: Error[] = [];
  const check = () => {
    if (errors.length) throw errors[0];
  };
  const open = async (): Promise<fs.WriteStream> => {
    let out: fs.WriteStream;
    if (file.direct === "stream") {
      // Opened off the main thread: a FIFO's open waits for its reader.
      out = fs.createWriteStream(file.path, { flags: "w" });
      await new Promise((resolve, reject) => {
        out.once("open", resolve);
        out.once("error", reject);
      });
    } else if (file.direct === "stdout") out = fs.createWriteStream("", { fd: 1, autoClose: false });
    else {
      track(temp!);
      out = fs.createWriteStream("", { fd: fs.openSync(temp!, "wx", 0o600), autoClose: true });
    }
    // A write error surfaces here, never as an unhandled 'error' event.
    out.on("error", (err) => errors.push(err));
    return out;
  };
  // Errors while producing the lines (a lost connection) are not file errors.
  let producing = false;
  let n = 0;
  try {
    producing = true;
    for await (const line of lines) {
      producing = false;
      stream ??= await open();
      check();
      if (!stream.write(`${line}\n`)) await drainedOrClosed(stream);
      n++;
      onLine?.(n);
      producing = true;
    }
    producing = false;
    if (!stream) return 0;
    const out = stream;
    check();
    await new Promise<void>((resolve, reject) => {
      out.once("error", reject);
      out.end(() => resolve());
    });
    check();
    if (temp) {
      const synced = fs.openSync(temp, "r");
      try {
        fs.fsyncSync(synced);
      } finally {
        fs.closeSync(synced);
      }
      moveIntoPlace(temp, file);
      fsyncFolder(file.path);
    }
    return n;
  } catch (err) {
    stream?.destroy();
    if (temp) fs.rmSync(temp, { force: true });
    if (producing || err instanceof CliError || !(err as NodeJS.ErrnoException)?.code) throw err;
    const shown = file.direct === "stdout" ? "stdout" : file.path;
    throw new CliError(
      `cannot write ${shown}: ${reason(err)}`,
      1,
      file.direct ? undefined : "nothing was written to it",
    );
  } finally {
    if (temp) untrack(temp);
  }
}

/** An export (JSON Lines) to a file: see writeOutputFile. */
export function writeExportFile(
  file: OutputFile,
  lines: AsyncIterable<ExportLine>,
  onLine?: (n: number) => void,
): Promise<number> {
  return writeOutputFile(file, mapLines(lines), onLine);
}

async function* mapLines(lines: AsyncIterable<ExportLine>): AsyncGenerator<string> {
  for await (const l of lines) yield safeJson(l);
}

/** A --backup: never replaces or follows anything at the path. */
export function checkBackupFile(file: string): OutputFile {
  return checkOutputFile(file, { existsHint: "a backup never replaces a file: choose a new name" });
}

/**
 * Resolves when the file catches up (or closes: an error is then seen by the
 * caller's check). Both listeners go once either fires: racing two
 * `events.once` left the loser's listeners (and an `error` one each) behind
 * at every wait, and a long export warned of a listener leak.
 */
function drainedOrClosed(stream: fs.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off("drain", done);
      stream.off("close", done);
      resolve();
    };
    stream.on("drain", done);
    stream.on("close", done);
  });
}
