// `export`: sessions streamed as JSON Lines, page by page, so a million
// sessions never sit in memory.
import type { Store, Outcome } from "../store/types.js";
import { keyFields, type KeySpace } from "../sessions/keys.js";
import { asBytesList, asInt, asText, unwrap } from "../store/replies.js";
import { ttlFromReply } from "../duration/duration.js";
import { scanKeys, type ScanOptions } from "../sessions/scan.js";
import { exportElement, type ExportLine } from "./format.js";
import { readPagesFromTail } from "../history/read.js";
import type { OutputFile } from "./write-file.js";

function line(keys: KeySpace, key: string, ttl: number, elements: Buffer[]): ExportLine {
  const { sessionId, key: shown, keyBase64 } = keyFields(keys.sessionId(key), key);
  return {
    key: shown,
    ...(keyBase64 ? { keyBase64 } : {}),
    sessionId,
    ttlSeconds: ttlFromReply(ttl),
    elements: elements.map(exportElement),
  };
}

function tooLarge(o: Outcome): boolean {
  return !o.ok && /size|too large/i.test(o.error);
}

/** A session too large for one response: read it in pages from the tail. */
async function readWhole(store: Store, keys: KeySpace, key: string): Promise<ExportLine | null> {
  const [ttl] = await store.pipeline([["TTL", key]], { idempotent: true });
  const pages: Buffer[][] = [];
  for await (const p of readPagesFromTail(store, key)) pages.push(p);
  if (!pages.length) return null;
  return line(keys, key, asInt(unwrap(ttl)), pages.reverse().flat());
}

export async function* exportByPattern(store: Store, keys: KeySpace, opts: ScanOptions): AsyncGenerator<ExportLine> {
  for await (const page of exportPagesByPattern(store, keys, opts)) yield* page;
}

/** Sessions matching the pattern, a page (one round trip) at a time. */
export async function* exportPagesByPattern(
  store: Store,
  keys: KeySpace,
  opts: ScanOptions,
): AsyncGenerator<ExportLine[]> {
  const oversized: string[] = [];
  const plan = {
    commands: (k: string) => [
      ["TTL", k],
      ["LRANGE", k, 0, -1],
    ],
    read: (k: string, o: Outcome[]): ExportLine | null => {
      if (tooLarge(o[1])) {
        oversized.push(k);
        return null;
      }
      if (!o[0].ok || !o[1].ok) return null;
      const elements = asBytesList(o[1].value);
      return elements.length ? line(keys, k, asInt(o[0].value), elements) : null;
    },
  };
  for await (const page of scanKeys(store, keys, plan, { readAhead: true, ...opts })) {
    if (page.length) yield page;
    while (oversized.length) {
      const l = await readWhole(store, keys, oversized.shift()!);
      if (l) yield [l];
    }
  }
}

export interface KeyExport {
  missing: string[];
  notLists: { key: string; type: string }[];
}

/** Export explicit keys, a batch per request; reports what is missing or not a list. */
export async function* exportKeys(
  store: Store,
  keys: KeySpace,
  keyList: string[],
  report: KeyExport,
  batch = 100,
): AsyncGenerator<ExportLine> {
  for (let i = 0; i < keyList.length; i += batch) {
    const part = keyList.slice(i, i + batch);
    const o = await store.pipeline(
      part.flatMap((k) => [
        ["TYPE", k],
        ["TTL", k],
        ["LRANGE", k, 0, -1],
      ]),
      { idempotent: true },
    );
    for (let j = 0; j < part.length; j++) {
      const k = part[j];
      const type = asText(unwrap(o[3 * j]));
      if (type === "none") report.missing.push(k);
      else if (type !== "list") report.notLists.push({ key: k, type });
      else if (tooLarge(o[3 * j + 2])) {
        const l = await readWhole(store, keys, k);
        if (l) yield l;
      } else yield line(keys, k, asInt(unwrap(o[3 * j + 1])), asBytesList(unwrap(o[3 * j + 2])));
    }
  }
}

/** A backup before a change: the sessions at `keyList` exported to `file` (see writeExportFile); the count written. */
export async function backUpKeys(store: Store, keys: KeySpace, file: OutputFile, keyList: string[]): Promise<number> {
  const { writeExportFile } = await import("./write-file.js");
  return writeExportFile(file, exportKeys(store, keys, keyList, { missing: [], notLists: [] }));
}
