// Reading all of standard input (content `-`, --token-stdin, import -).
import type { InStream } from "./io.js";
import { UsageError } from "./errors.js";

export async function readAll(stream: InStream): Promise<Buffer> {
  if (stream.isTTY) throw new UsageError("expected input on stdin, but stdin is a terminal", "pipe the input in, e.g. `echo hi | upstash-memory ...`");
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks);
}
