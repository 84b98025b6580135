// Reading an export (file or stdin) line by line. Import checks every line
// before writing anything, so it reads the input twice: a file is simply
// re-read; stdin is kept in memory.
import fs from "node:fs";
import { isUtf8 } from "node:buffer";
import type { Readable } from "node:stream";
import { Readable as ReadableStream } from "node:stream";
import { readFailure, UsageError } from "../errors/errors.js";
import { readAll } from "../terminal/stdin.js";
import type { InStream } from "../terminal/io.js";
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
    throw readFailure(path, e);
  }
  return () => fs.createReadStream(path);
}

/**
 * The input split into lines as bytes: readline would decode them first and
 * silently turn bytes that are not UTF-8 into U+FFFD.
 */
async function* byteLines(input: Readable): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  for await (const chunk of input) {
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    let at = 0;
    for (let nl = b.indexOf(0x0a, at); nl !== -1; nl = b.indexOf(0x0a, at)) {
      yield Buffer.concat([...pending, b.subarray(at, nl)]);
      pending = [];
      at = nl + 1;
    }
    if (at < b.length) pending.push(b.subarray(at));
  }
  if (pending.length) yield Buffer.concat(pending);
}

export async function* exportLines(source: Source): AsyncGenerator<ExportLine> {
  let n = 0;
  for await (let bytes of byteLines(source())) {
    n++;
    if (bytes[bytes.length - 1] === 0x0d) bytes = bytes.subarray(0, -1);
    if (!isUtf8(bytes)) {
      throw new UsageError(
        `import line ${n}: not UTF-8 text (an element whose bytes are not UTF-8 is written as {"base64": "..."})`,
        "nothing was written",
      );
    }
    const text = bytes.toString("utf8");
    if (text.trim() === "") continue;
    yield parseExportLine(text, n);
  }
}
