// Reading an export (file or stdin) line by line. Import checks every line
// before writing anything, so it reads the input twice: a file is simply
// re-read; stdin is kept in memory.
import fs from "node:fs";
import readline from "node:readline";
import type { Readable } from "node:stream";
import { Readable as ReadableStream } from "node:stream";
import { UsageError } from "../errors.js";
import { readAll } from "../stdin.js";
import type { InStream } from "../io.js";
import { parseExportLine, type ExportLine } from "./format.js";

export type Source = () => Readable;

export async function openSource(path: string, stdin: InStream): Promise<Source> {
  if (path === "-") {
    const data = await readAll(stdin);
    return () => ReadableStream.from([data]);
  }
  try {
    fs.accessSync(path, fs.constants.R_OK);
  } catch (e) {
    throw new UsageError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code}`);
  }
  return () => fs.createReadStream(path);
}

export async function* exportLines(source: Source): AsyncGenerator<ExportLine> {
  const rl = readline.createInterface({ input: source(), crlfDelay: Infinity });
  let n = 0;
  for await (const text of rl) {
    n++;
    if (text.trim() === "") continue;
    yield parseExportLine(text, n);
  }
}
