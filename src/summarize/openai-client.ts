// One Chat Completions call against any OpenAI-compatible server (OpenAI,
// Ollama, LM Studio, vLLM, OpenRouter) over plain fetch, with bounded retries
// for 429 and 5xx, a timeout, cancellation, and SSE streaming. Every failure
// becomes a CliError of one line that never contains the API key.
import { setTimeout as sleep } from "node:timers/promises";
import { CliError, ConnectionError, ExitCode } from "../errors/errors.js";
import { redact } from "../errors/secrets.js";

export interface ChatMessage {
  role: "system" | "user";
  content: string;
}

export interface CompletionRequest {
  baseUrl: string;
  model: string;
  apiKey?: string;
  messages: ChatMessage[];
  timeoutMs: number;
  signal?: AbortSignal;
  stream: boolean;
  onDelta?: (text: string) => void;
}

export interface CompletionResult {
  content: string;
  /** HTTP requests sent, retries included. */
  requests: number;
}

const MAX_RETRIES = 2;
/** Never sleep longer than this in total for one call, whatever Retry-After asks. */
const MAX_TOTAL_WAIT_MS = 30_000;
const SERVER_ERROR_BACKOFF_MS = 500;
/** A stream that never ends must not grow without bound. */
const MAX_CONTENT_CHARS = 200_000;
const DETAIL_CHARS = 200;
const OLLAMA_PORT = "11434";

/** The error a cancelled summary rejects with: callers recognise it by name and write nothing. */
export function abortError(): Error {
  return new DOMException("the summary was cancelled", "AbortError");
}

export async function chatCompletion(req: CompletionRequest): Promise<CompletionResult> {
  const url = `${req.baseUrl}/chat/completions`;
  const headers: Record<string, string> = {
    "content-type": "application/json",
    accept: req.stream ? "text/event-stream" : "application/json",
  };
  if (req.apiKey) headers.authorization = `Bearer ${req.apiKey}`;
  const body = JSON.stringify({ model: req.model, messages: req.messages, temperature: 0, stream: req.stream });

  let requests = 0;
  let waitedMs = 0;
  for (let attempt = 0; ; attempt++) {
    if (req.signal?.aborted) throw abortError();
    const guard = new RequestGuard(req.timeoutMs, req.signal);
    let failure: HttpFailure;
    try {
      const res = await postSameOrigin(url, { method: "POST", headers, body, signal: guard.signal }, req);
      requests++;
      if (res.ok) return { content: await readContent(res, req, guard), requests };
      failure = {
        status: res.status,
        detail: await errorDetail(res),
        retryAfterMs: retryAfterMs(res.headers.get("retry-after")),
      };
    } catch (err) {
      throw describeFailure(err, guard, req);
    } finally {
      guard.dispose();
    }
    const retryable = failure.status === 429 || failure.status >= 500;
    const waitMs = failure.retryAfterMs ?? SERVER_ERROR_BACKOFF_MS * 2 ** attempt;
    if (!retryable || attempt >= MAX_RETRIES || waitedMs + waitMs > MAX_TOTAL_WAIT_MS) throw httpError(failure, req);
    try {
      await sleep(waitMs, undefined, { signal: req.signal });
    } catch {
      throw abortError();
    }
    waitedMs += waitMs;
  }
}

const MAX_REDIRECTS = 5;

/**
 * A POST that follows a redirect only within the base URL's origin (scheme,
 * host and port), re-sent as the same POST: the conversation and the key are
 * never sent to another server, and a 303 never turns it into a GET whose
 * reply would become the summary.
 */
async function postSameOrigin(url: string, init: RequestInit, req: CompletionRequest): Promise<Response> {
  const origin = new URL(url).origin;
  let target = url;
  for (let hops = 0; ; hops++) {
    const res = await fetch(target, { ...init, redirect: "manual" });
    const location = res.headers.get("location");
    if (res.status < 300 || res.status >= 400 || location === null) return res;
    await res.body?.cancel();
    const next = new URL(location, target);
    if (next.origin !== origin || res.status === 303 || hops >= MAX_REDIRECTS) {
      const why =
        next.origin !== origin
          ? `to another server (${next.origin})`
          : res.status === 303
            ? "to a GET (HTTP 303)"
            : `more than ${MAX_REDIRECTS} times`;
      throw new ConnectionError(
        `the model API at ${displayUrl(req.baseUrl)} redirected (HTTP ${res.status}) ${why}: not followed, the conversation stays with ${origin}`,
        "if you trust where it points, make that the base URL (OPENAI_BASE_URL or the profile's llm.baseUrl)",
      );
    }
    target = next.href;
  }
}

interface HttpFailure {
  status: number;
  detail: string;
  retryAfterMs?: number;
}

/**
 * Aborts the request when the caller cancels or when the server has been
 * silent for timeoutMs. A streamed reply re-arms the timer on every chunk, so
 * a slow model that keeps talking is not cut off mid-summary.
 */
class RequestGuard {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  timedOut = false;

  constructor(
    private readonly timeoutMs: number,
    private readonly outer?: AbortSignal,
  ) {
    outer?.addEventListener("abort", this.onOuterAbort, { once: true });
    this.rearm();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  private readonly onOuterAbort = () => this.controller.abort();

  rearm(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.controller.abort();
    }, this.timeoutMs);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.outer?.removeEventListener("abort", this.onOuterAbort);
  }
}

async function readContent(res: Response, req: CompletionRequest, guard: RequestGuard): Promise<string> {
  // Some servers ignore "stream": true and answer with one JSON document.
  const isStream = (res.headers.get("content-type") ?? "").includes("text/event-stream");
  if (isStream) return readEventStream(res, req, guard);
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw invalidResponse("the body is not JSON");
  }
  const content = (json as { choices?: { message?: { content?: unknown } }[] }).choices?.[0]?.message?.content;
  if (typeof content !== "string") throw invalidResponse("no choices[0].message.content");
  if (req.stream && content) req.onDelta?.(content);
  return content;
}

/** Server-sent events: `data: {...}` lines carrying choices[0].delta.content, until `data: [DONE]`. */
async function readEventStream(res: Response, req: CompletionRequest, guard: RequestGuard): Promise<string> {
  if (!res.body) throw invalidResponse("an empty stream");
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let pending = "";
  let content = "";
  const handle = (line: string): boolean => {
    // onDelta may have cancelled: stop before passing on anything more.
    if (req.signal?.aborted) throw abortError();
    // Comments (": keep-alive"), event names and ids carry no text.
    if (!line.startsWith("data:")) return false;
    const payload = line.slice(5).trim();
    if (payload === "[DONE]") return true;
    let event: { choices?: { delta?: { content?: unknown } }[]; error?: unknown };
    try {
      event = JSON.parse(payload);
    } catch {
      throw invalidResponse("a stream event is not JSON");
    }
    if (event.error) throw new CliError(`the model API failed while streaming: ${detailOf(event)}`, ExitCode.failure);
    const delta = event.choices?.[0]?.delta?.content;
    if (typeof delta === "string" && delta) {
      content += delta;
      if (content.length > MAX_CONTENT_CHARS) throw invalidResponse(`more than ${MAX_CONTENT_CHARS} characters`);
      req.onDelta?.(delta);
    }
    return false;
  };
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      guard.rearm();
      pending += decoder.decode(value, { stream: true });
      let newline: number;
      while ((newline = pending.indexOf("\n")) >= 0) {
        const line = pending.slice(0, newline).replace(/\r$/, "");
        pending = pending.slice(newline + 1);
        if (handle(line)) return content;
      }
    }
    // A stream cut short of [DONE] still delivered what it delivered.
    handle((pending + decoder.decode()).trim());
    return content;
  } finally {
    reader.cancel().catch(() => {});
  }
}

function invalidResponse(what: string): CliError {
  return new CliError(
    `the model API returned an invalid response: ${what}`,
    ExitCode.failure,
    "check that the base URL points at an OpenAI-compatible /v1 API",
  );
}

function retryAfterMs(header: string | null): number | undefined {
  if (header === null || !/^\s*\d+(?:\.\d+)?\s*$/.test(header)) return undefined;
  return Math.ceil(Number(header) * 1000);
}

async function errorDetail(res: Response): Promise<string> {
  let text: string;
  try {
    text = await res.text();
  } catch {
    return "";
  }
  try {
    return detailOf(JSON.parse(text));
  } catch {
    return oneLine(text);
  }
}

/** The provider's own words: OpenAI {error:{message}}, Ollama {error:"..."}, vLLM {detail}, others {message}. */
function detailOf(json: unknown): string {
  const j = json as { error?: { message?: unknown } | string; message?: unknown; detail?: unknown } | null;
  const candidates = [typeof j?.error === "object" ? j.error?.message : j?.error, j?.message, j?.detail];
  const found = candidates.find((c): c is string => typeof c === "string" && c.trim() !== "");
  return found ? oneLine(found) : "";
}

function oneLine(text: string): string {
  const line = redact(text.replace(/\s+/g, " ").trim());
  return line.length > DETAIL_CHARS ? `${line.slice(0, DETAIL_CHARS)}…` : line;
}

/** The base URL as shown to the user: without any user:password@. */
export function displayUrl(baseUrl: string): string {
  return redact(baseUrl.replace(/\/\/[^/@\s]*@/, "//"));
}

function httpError(f: HttpFailure, req: CompletionRequest): CliError {
  const where = displayUrl(req.baseUrl);
  const detail = f.detail ? `: ${f.detail}` : "";
  if (f.status === 401 || f.status === 403) {
    return req.apiKey
      ? new ConnectionError(
          `the model API rejected the key (HTTP ${f.status})`,
          "check OPENAI_API_KEY or the profile's llm.apiKey",
        )
      : new ConnectionError(
          `the model API requires a key (HTTP ${f.status})`,
          "set OPENAI_API_KEY or the profile's llm.apiKey",
        );
  }
  if (f.status === 404) {
    return new CliError(
      `model '${req.model}' or the API at ${where} was not found (HTTP 404)${detail}`,
      ExitCode.failure,
      "check the model name and the base URL: OpenAI-compatible servers answer under /v1, e.g. http://localhost:11434/v1",
    );
  }
  if (f.status === 429) {
    const after = f.retryAfterMs === undefined ? "" : `; retry after ${Math.ceil(f.retryAfterMs / 1000)}s`;
    return new CliError(
      `rate limited by the model API (HTTP 429)${after}`,
      ExitCode.failure,
      "wait a little and run the summary again",
    );
  }
  if (f.status >= 500) {
    return new CliError(
      `the model API failed with HTTP ${f.status}${detail}`,
      ExitCode.failure,
      "the server had a problem: try again later",
    );
  }
  return new CliError(
    `the model API rejected the request (HTTP ${f.status})${detail}`,
    ExitCode.failure,
    "if the conversation is too long for the model, lower the input token budget",
  );
}

/** Why fetch (or reading the body) threw, as one line. */
function describeFailure(err: unknown, guard: RequestGuard, req: CompletionRequest): Error {
  if (req.signal?.aborted) return abortError();
  if (err instanceof CliError) return err;
  const where = displayUrl(req.baseUrl);
  if (guard.timedOut) {
    return new ConnectionError(
      `the model API did not answer within ${seconds(req.timeoutMs)}`,
      "a slow or busy model may need a longer timeout: --llm-timeout 5m",
    );
  }
  const code = networkCode(err);
  if (code === "ECONNREFUSED") {
    return isOllama(req.baseUrl)
      ? new ConnectionError(
          `cannot reach the model API at ${where}: is Ollama running?`,
          "start it with `ollama serve`",
        )
      : new ConnectionError(
          `cannot reach the model API at ${where}: connection refused`,
          "check the base URL and that the server is running",
        );
  }
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") {
    return new ConnectionError(
      `cannot reach the model API at ${where}: host not found`,
      "check the base URL and your network",
    );
  }
  if (code === "ECONNRESET" || code === "UND_ERR_SOCKET") {
    return new ConnectionError(
      `the model API at ${where} closed the connection before answering`,
      "try again; if it keeps happening, check the server's logs",
    );
  }
  if (code) return new ConnectionError(`cannot reach the model API at ${where}: ${code}`);
  // Not a network failure (a bug, or a throwing onDelta): let it surface as it is.
  return err instanceof Error ? err : new Error(String(err));
}

/** undici wraps the socket error: TypeError("fetch failed", { cause: { code } }), sometimes an AggregateError. */
function networkCode(err: unknown): string | undefined {
  const cause = (err as { cause?: { code?: unknown; errors?: { code?: unknown }[] } } | null)?.cause;
  const code = cause?.code ?? cause?.errors?.[0]?.code;
  return typeof code === "string" ? code : undefined;
}

function isOllama(baseUrl: string): boolean {
  try {
    return new URL(baseUrl).port === OLLAMA_PORT;
  } catch {
    return false;
  }
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${(ms / 1000).toFixed(1)}s`;
}
