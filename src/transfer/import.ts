// `import`: restore exported sessions. Every line is validated before anything
// is written; each session is restored by one atomic script that can safely
// run twice.
import type { Store, Cmd } from "../store/types.js";
import { asArray, asInt, unwrap } from "../store/replies.js";
import { IMPORT } from "../write/scripts.js";
import { elementBytes, type ExportLine } from "./format.js";
import { isValidUtf8 } from "../history/codec.js";
import { CliError } from "../errors/errors.js";

export type ImportMode = "skip" | "replace" | "merge";
export type ImportStatus = "written" | "skipped" | "not-a-list";

export interface ImportResult {
  key: string;
  status: ImportStatus;
  count: number;
  /** Messages the restore pushed (0 in a dry run, which does not count them). */
  added: number;
}

/** Stay well inside Upstash's 10 MB request limit. */
const MAX_REQUEST_BYTES = 4 * 1024 * 1024;
const MAX_SESSIONS_PER_REQUEST = 200;

/** One session's restore: the script and how many bytes of elements it carries. */
function importCommand(l: ExportLine, mode: ImportMode): { cmd: Cmd; bytes: number } {
  const flags: string[] = [];
  const args: string[] = [];
  let bytes = 0;
  for (const e of l.elements) {
    const b = elementBytes(e);
    // Text travels as text; other bytes as base64, decoded inside Redis.
    if (isValidUtf8(b)) {
      flags.push("t");
      args.push(b.toString("utf8"));
    } else {
      flags.push("b");
      args.push(b.toString("base64"));
    }
    bytes += args[args.length - 1].length;
  }
  return { cmd: ["EVAL", IMPORT, 1, l.key, mode, l.ttlSeconds ?? "", flags.join(""), ...args], bytes };
}

/**
 * The same script in its dry form: it looks at the key and answers what the
 * real restore would (written, skipped, not a list), changing nothing. The
 * elements are left out: the answer does not depend on them.
 */
function dryCommand(l: ExportLine, mode: ImportMode): Cmd {
  return ["EVAL", IMPORT, 1, l.key, `dry-${mode}`, "", ""];
}

/** A session too large for one request over REST (redis:// has no such limit). */
function assertFits(key: string, bytes: number, transport: Store["transport"]): void {
  if (transport === "rest" && bytes > MAX_REQUEST_BYTES * 2) {
    throw new CliError(
      `session '${key}' is too large to restore in one request (${Math.round(bytes / 1e6)} MB)`,
      1,
      "restore it over a redis:// URL, which has no request size limit; nothing was written",
    );
  }
}

export interface ImportCheck {
  sessions: number;
  elements: number;
  /** The session whose restore carries the most bytes. */
  largest: { key: string; bytes: number } | null;
}

/** First pass over the input: every line valid (else a usage error naming it), and sizes. */
export async function checkImport(lines: AsyncIterable<ExportLine>): Promise<ImportCheck> {
  const check: ImportCheck = { sessions: 0, elements: 0, largest: null };
  for await (const l of lines) {
    check.sessions++;
    check.elements += l.elements.length;
    const { bytes } = importCommand(l, "skip");
    if (!check.largest || bytes > check.largest.bytes) check.largest = { key: l.key, bytes };
  }
  return check;
}

/** Before anything is written (or a dry run answers): every session fits in one request. */
export function assertImportFits(check: ImportCheck, transport: Store["transport"]): void {
  if (check.largest) assertFits(check.largest.key, check.largest.bytes, transport);
}

export interface ImportOptions {
  /** Ask the store what would happen, write nothing. */
  dryRun?: boolean;
  onProgress?: (n: number) => void;
}

/**
 * Restores every session, batched into requests that stay inside the size
 * limit. The dry run goes through exactly the same plan and batches, sending
 * each session's script in its dry form.
 */
export async function importLines(
  store: Store,
  lines: AsyncIterable<ExportLine>,
  mode: ImportMode,
  opts: ImportOptions = {},
): Promise<ImportResult[]> {
  const results: ImportResult[] = [];
  let batch: { key: string; cmd: Cmd }[] = [];
  let size = 0;
  const flush = async () => {
    if (!batch.length) return;
    const o = await store.pipeline(
      batch.map((b) => b.cmd),
      { idempotent: true },
    );
    batch.forEach((b, i) => {
      const [status, count, added = 0] = asArray(unwrap(o[i])).map(asInt);
      results.push({
        key: b.key,
        status: status === 1 ? "written" : status === 0 ? "skipped" : "not-a-list",
        count,
        added,
      });
    });
    opts.onProgress?.(results.length);
    batch = [];
    size = 0;
  };
  for await (const l of lines) {
    const { cmd, bytes } = importCommand(l, mode);
    assertFits(l.key, bytes, store.transport);
    if (size + bytes > MAX_REQUEST_BYTES || batch.length >= MAX_SESSIONS_PER_REQUEST) await flush();
    batch.push({ key: l.key, cmd: opts.dryRun ? dryCommand(l, mode) : cmd });
    size += bytes;
  }
  await flush();
  return results;
}
