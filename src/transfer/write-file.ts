// Writing an export to a file: to FILE.partial first, renamed when complete and
// flushed, so a file that exists is a whole export (a --backup is trustworthy).
import fs from "node:fs";
import { once } from "node:events";
import { safeJson } from "../render/sanitize.js";
import type { ExportLine } from "./format.js";
import { CliError } from "../errors.js";

export async function writeExportFile(path: string, lines: AsyncIterable<ExportLine>, onLine?: (n: number) => void): Promise<number> {
  const partial = `${path}.partial`;
  const stream = fs.createWriteStream(partial, { mode: 0o600 });
  let n = 0;
  try {
    for await (const l of lines) {
      if (!stream.write(safeJson(l) + "\n")) await once(stream, "drain");
      n++;
      onLine?.(n);
    }
    await new Promise<void>((resolve, reject) => stream.end((err?: Error | null) => (err ? reject(err) : resolve())));
    const fd = fs.openSync(partial, "r");
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fs.renameSync(partial, path);
    return n;
  } catch (err) {
    stream.destroy();
    fs.rmSync(partial, { force: true });
    if ((err as NodeJS.ErrnoException).code) throw new CliError(`cannot write ${path}: ${(err as NodeJS.ErrnoException).code}`);
    throw err;
  }
}
