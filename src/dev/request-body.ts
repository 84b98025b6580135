// Reading a request body with Upstash's 10 MB limit: refused up front when
// Content-Length says it is too big, and counted while reading otherwise
// (chunked uploads carry no length).
import type { IncomingMessage } from "node:http";
import { HttpError } from "./routes.js";

export const MAX_BODY_BYTES = 10 * 1024 * 1024;

export class BodyTooLargeError extends HttpError {
  constructor() {
    super(413, "ERR max request size exceeded");
    this.name = "BodyTooLargeError";
  }
}

export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(new BodyTooLargeError());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off("data", onData);
        reject(new BodyTooLargeError());
        return;
      }
      chunks.push(chunk);
    };
    req.on("data", onData);
    req.once("end", () => resolve(Buffer.concat(chunks, size)));
    req.once("error", reject);
  });
}
