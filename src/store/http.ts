// The HTTP client under the REST transport: node:http / node:https with one
// keep-alive agent per store. Not the global fetch: on Node 20 the first fetch
// in a process initialises undici, which costs more time and memory than the
// rest of a one-request command put together. Failures come back classified as
// TransientError (retryable or not, sent or not) so the retry policy can decide.
import type { Agent, IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders } from "node:http";
import { redact } from "../errors/secrets.js";
import { CONNECTION_REFUSED, noAnswer, TransientError } from "./retry.js";

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

type HttpModule = typeof import("node:http");

export class HttpClient {
  private module?: HttpModule;
  private agent?: Agent;
  private readonly secure: boolean;

  constructor(private readonly base: URL) {
    this.secure = base.protocol === "https:";
  }

  /** One POST: resolves with the whole response, or rejects with a TransientError. */
  async post(path: string, headers: OutgoingHttpHeaders, body: string, timeoutMs: number): Promise<HttpResponse> {
    // node:https (and TLS with it) is loaded only for https:// URLs.
    this.module ??= (this.secure ? await import("node:https") : await import("node:http")) as HttpModule;
    // Keep-alive: the ~N/1000 requests of a scan share one connection (and one TLS handshake).
    this.agent ??= new this.module.Agent({ keepAlive: true });
    const payload = Buffer.from(body, "utf8");
    const http = this.module;
    return new Promise<HttpResponse>((resolve, reject) => {
      let settled = false;
      const fail = (err: TransientError) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        req.destroy();
        reject(err);
      };
      const req = http.request(
        new URL(path, this.base),
        {
          method: "POST",
          agent: this.agent,
          headers: {
            ...headers,
            "content-length": payload.length,
            // Large replies (a long history, a page of a scan) travel compressed.
            "accept-encoding": "gzip, deflate, br",
          },
        },
        (res) => {
          readBody(res).then(
            (raw) => {
              if (settled) return;
              settled = true;
              clearTimeout(timer);
              resolve({ status: res.statusCode ?? 0, headers: res.headers, body: raw });
            },
            (err: Error) =>
              fail(new TransientError(`connection lost while reading the response: ${err.message}`, false)),
          );
        },
      );
      // The whole exchange (connect, send, wait, read) within the timeout, as fetch's AbortSignal.timeout did.
      const timer = setTimeout(() => fail(noAnswer(timeoutMs)), timeoutMs);
      req.on("error", (err) => fail(requestFailure(err)));
      req.end(payload);
    });
  }

  /** Closes idle keep-alive connections so the process can exit at once. */
  close(): void {
    this.agent?.destroy();
  }
}

async function readBody(res: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  // A response cut short (the socket closed mid-body) ends without an error on some Node versions.
  if (!res.complete) throw new Error("the response ended early");
  const raw = Buffer.concat(chunks);
  const encoding = String(res.headers["content-encoding"] ?? "")
    .trim()
    .toLowerCase();
  if (!encoding || encoding === "identity") return raw;
  const zlib = await import("node:zlib");
  if (encoding === "gzip" || encoding === "x-gzip") return zlib.gunzipSync(raw);
  if (encoding === "br") return zlib.brotliDecompressSync(raw);
  if (encoding === "deflate") return zlib.inflateSync(raw);
  throw new Error(`unsupported content-encoding '${encoding}'`);
}

/** Errors from connect/TLS/send, by what they mean for a retry. */
export function requestFailure(err: unknown): TransientError {
  const e = err as NodeJS.ErrnoException;
  const code = e?.code ?? "";
  if (code === "ENOTFOUND" || code === "EAI_AGAIN")
    return new TransientError("cannot resolve the host name (DNS)", true);
  if (code === "ECONNREFUSED") return new TransientError(CONNECTION_REFUSED, true);
  if (code === "ECONNRESET" || code === "EPIPE")
    return new TransientError("the connection was reset before a response arrived", false);
  // Certificate rejected, or the server does not speak TLS: the handshake failed, nothing was sent.
  if (/CERT|SSL|TLS|EPROTO|UNABLE_TO_|SELF_SIGNED/.test(code))
    return new TransientError(`TLS handshake failed (${code})`, true);
  if (code === "EHOSTUNREACH" || code === "ENETUNREACH")
    return new TransientError(`no route to the host (${code})`, true);
  return new TransientError(redact(`request failed: ${e?.message ?? String(err)}`), false);
}
