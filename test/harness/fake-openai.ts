// A local OpenAI-compatible Chat Completions server for the llm engine's
// tests: node:http on 127.0.0.1, a free port, every request recorded, and each
// reply scripted (JSON, SSE stream, HTTP errors, slow answers). Nothing here
// waits longer than the delays a test asks for, and close() ends everything.
import http from "node:http";
import type { AddressInfo } from "node:net";

export type Reply =
  /** A normal completion; `delayMs` holds the headers back (to exercise timeouts). */
  | { kind: "json"; content: string; delayMs?: number }
  /** SSE chunks carrying delta.content, `gapMs` apart, then `data: [DONE]` unless `done` is false. */
  | { kind: "stream"; deltas: string[]; gapMs?: number; done?: boolean; events?: string[] }
  /** An HTTP error with a JSON (or text) body. */
  | { kind: "error"; status: number; body?: unknown; headers?: Record<string, string> }
  /** Anything else, verbatim. */
  | { kind: "raw"; status: number; contentType: string; body: string };

export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  /** The parsed JSON body. */
  body: {
    model?: string;
    temperature?: number;
    stream?: boolean;
    messages?: { role: string; content: string }[];
    [key: string]: unknown;
  };
}

export type ReplyScript = (request: RecordedRequest, index: number) => Reply;

export interface FakeOpenAI {
  /** e.g. http://127.0.0.1:40123/v1 */
  baseUrl: string;
  requests: RecordedRequest[];
  /** Replies in order from now on; the last one repeats for any further request. */
  queue(...replies: Reply[]): void;
  /** Computes each reply from the request. */
  script(fn: ReplyScript): void;
  close(): Promise<void>;
}

function completion(content: string): unknown {
  return {
    id: "chatcmpl-test",
    object: "chat.completion",
    choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
  };
}

function chunk(content: string): string {
  return `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content } }] })}\n\n`;
}

export async function startFakeOpenAI(): Promise<FakeOpenAI> {
  const requests: RecordedRequest[] = [];
  let script: ReplyScript = () => ({ kind: "json", content: "summary" });
  // Reply indices count from the last queue()/script() call.
  let origin = 0;
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });

  const server = http.createServer(async (req, res) => {
    let raw = "";
    for await (const part of req) raw += part;
    let body: RecordedRequest["body"] = {};
    try {
      body = JSON.parse(raw);
    } catch {
      /* recorded as empty: the test will see it */
    }
    const recorded: RecordedRequest = { method: req.method ?? "", path: req.url ?? "", headers: req.headers, body };
    requests.push(recorded);
    await send(res, script(recorded, requests.length - 1 - origin));
  });

  async function send(res: http.ServerResponse, reply: Reply): Promise<void> {
    switch (reply.kind) {
      case "json":
        if (reply.delayMs) await later(reply.delayMs);
        if (res.destroyed) return;
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify(completion(reply.content)));
        return;
      case "stream":
        res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
        res.write(": keep-alive\n\n");
        for (const event of reply.events ?? []) res.write(event);
        for (const delta of reply.deltas) {
          if (reply.gapMs) await later(reply.gapMs);
          if (res.destroyed) return;
          res.write(chunk(delta));
        }
        res.end(reply.done === false ? "" : "data: [DONE]\n\n");
        return;
      case "error":
        res.writeHead(reply.status, { "content-type": "application/json", ...reply.headers });
        res.end(reply.body === undefined ? "" : JSON.stringify(reply.body));
        return;
      case "raw":
        res.writeHead(reply.status, { "content-type": reply.contentType });
        res.end(reply.body);
        return;
    }
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    queue(...replies) {
      origin = requests.length;
      script = (_req, i) => replies[Math.min(i, replies.length - 1)]!;
    },
    script(fn) {
      origin = requests.length;
      script = fn;
    },
    close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** A port on 127.0.0.1 that nothing listens on (it was free a moment ago). */
export async function closedPort(): Promise<number> {
  const probe = http.createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}
