// Reading all of standard input (content `-`, --token-stdin, import -).
import type { InStream, OutStream } from "./io.js";
import { UsageError } from "../errors/errors.js";

/**
 * All of stdin. From a terminal only when `fromTerminal` says what to type:
 * that hint goes to stderr and the text typed until Ctrl-D is the input.
 */
export async function readAll(stream: InStream, fromTerminal?: { hint: string; stderr: OutStream }): Promise<Buffer> {
  if (stream.isTTY) {
    if (!fromTerminal)
      throw new UsageError(
        "expected input on stdin, but stdin is a terminal",
        "pipe the input in, e.g. `echo hi | upstash-memory ...`",
      );
    fromTerminal.stderr.write(`${fromTerminal.hint}\n`);
  }
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks);
}
