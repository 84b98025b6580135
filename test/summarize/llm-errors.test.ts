import net from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { summarizeWithLlm, type LlmOptions } from "../../src/summarize/llm.js";
import { CliError, ConnectionError, ExitCode, UsageError } from "../../src/errors/errors.js";
import type { ChatLine } from "../../src/summarize/types.js";
import { closedPort, startFakeOpenAI, type FakeOpenAI } from "../harness/fake-openai.js";

const KEY = "sk-test-SECRET-4f9a8b7c6d5e";
const lines: ChatLine[] = [
  { role: "user", content: "Where is my parcel?" },
  { role: "assistant", content: "It left the depot this morning and arrives tomorrow." },
];

let api: FakeOpenAI;
beforeEach(async () => {
  api = await startFakeOpenAI();
});
afterEach(async () => {
  await api.close();
});

function options(extra: Partial<LlmOptions> = {}): LlmOptions {
  return { baseUrl: api.baseUrl, model: "test-model", apiKey: KEY, maxInputTokens: 6000, timeoutMs: 5000, ...extra };
}

/** The rejection of `promise`, which must reject. */
async function failure(promise: Promise<unknown>): Promise<CliError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, "expected a rejection").toBeDefined();
  return err as CliError;
}

function expectOneSafeLine(err: CliError): void {
  expect(err).toBeInstanceOf(CliError);
  expect(err.message).not.toContain("\n");
  expect(err.message).not.toContain(KEY);
  expect(err.hint ?? "").not.toContain(KEY);
  expect(err.stack ?? "").not.toContain(KEY);
}

describe("llm engine: HTTP errors", () => {
  it("401: the key was rejected, exit 4, and the key is never shown", async () => {
    api.queue({ kind: "error", status: 401, body: { error: { message: `Incorrect API key provided: ${KEY}` } } });
    const err = await failure(summarizeWithLlm({ lines }, options()));
    expectOneSafeLine(err);
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err.exitCode).toBe(ExitCode.connection);
    expect(err.message).toBe("the model API rejected the key (HTTP 401)");
    expect(api.requests).toHaveLength(1);
  });

  it("403 without a key: a key is required", async () => {
    api.queue({ kind: "error", status: 403, body: { error: { message: "forbidden" } } });
    const err = await failure(summarizeWithLlm({ lines }, options({ apiKey: undefined })));
    expect(err.exitCode).toBe(ExitCode.connection);
    expect(err.message).toBe("the model API requires a key (HTTP 403)");
  });

  it("404: names the model and the base URL", async () => {
    api.queue({
      kind: "error",
      status: 404,
      body: { error: { message: 'model "llama9" not found, try pulling it first' } },
    });
    const err = await failure(summarizeWithLlm({ lines }, options({ model: "llama9" })));
    expectOneSafeLine(err);
    expect(err.message).toContain("model 'llama9'");
    expect(err.message).toContain(api.baseUrl);
    expect(err.message).toContain("HTTP 404");
    expect(err.message).toContain("try pulling it first");
    expect(err.exitCode).toBe(ExitCode.failure);
  });

  it("429 then success: retries, honouring Retry-After", async () => {
    api.queue(
      { kind: "error", status: 429, headers: { "retry-after": "0" }, body: { error: { message: "slow down" } } },
      { kind: "json", content: "The parcel arrives tomorrow." },
    );
    const result = await summarizeWithLlm({ lines }, options());
    expect(result).toEqual({ summary: "The parcel arrives tomorrow.", requests: 2 });
  });

  it("429 every time: gives up after two retries and says when to retry", async () => {
    api.queue({
      kind: "error",
      status: 429,
      headers: { "retry-after": "1" },
      body: { error: { message: "slow down" } },
    });
    const started = performance.now();
    const err = await failure(summarizeWithLlm({ lines }, options()));
    const elapsed = performance.now() - started;
    expectOneSafeLine(err);
    expect(err.message).toBe("rate limited by the model API (HTTP 429); retry after 1s");
    expect(api.requests).toHaveLength(3);
    expect(elapsed).toBeGreaterThanOrEqual(1900);
    expect(elapsed).toBeLessThan(10_000);
  });

  it("429 asking for a wait beyond the cap: fails at once", async () => {
    api.queue({ kind: "error", status: 429, headers: { "retry-after": "120" } });
    const started = performance.now();
    const err = await failure(summarizeWithLlm({ lines }, options()));
    expect(err.message).toBe("rate limited by the model API (HTTP 429); retry after 120s");
    expect(api.requests).toHaveLength(1);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("500 then success: retries", async () => {
    api.queue(
      { kind: "error", status: 500, body: { error: { message: "boom" } } },
      { kind: "json", content: "Recovered." },
    );
    const result = await summarizeWithLlm({ lines }, options());
    expect(result).toEqual({ summary: "Recovered.", requests: 2 });
  });

  it("500 every time: a bounded number of retries, then the server's reason, redacted", async () => {
    api.queue({ kind: "error", status: 500, body: { error: { message: `upstream failed for key ${KEY}` } } });
    const err = await failure(summarizeWithLlm({ lines }, options()));
    expectOneSafeLine(err);
    expect(err.message).toMatch(/^the model API failed with HTTP 500: upstream failed for key sk••••••d5e$/);
    expect(api.requests).toHaveLength(3);
  });

  it("400: the request was rejected, with the server's reason", async () => {
    api.queue({
      kind: "error",
      status: 400,
      body: { error: { message: "This model's maximum context length is 4096 tokens." } },
    });
    const err = await failure(summarizeWithLlm({ lines }, options()));
    expectOneSafeLine(err);
    expect(err.message).toBe(
      "the model API rejected the request (HTTP 400): This model's maximum context length is 4096 tokens.",
    );
    expect(err.hint).toMatch(/token budget/);
    expect(api.requests).toHaveLength(1);
  });
});

describe("llm engine: invalid answers", () => {
  it("a body that is not JSON", async () => {
    api.queue({ kind: "raw", status: 200, contentType: "text/html", body: "<html>login</html>" });
    const err = await failure(summarizeWithLlm({ lines }, options()));
    expectOneSafeLine(err);
    expect(err.message).toBe("the model API returned an invalid response: the body is not JSON");
  });

  it("JSON without choices", async () => {
    api.queue({ kind: "raw", status: 200, contentType: "application/json", body: '{"object":"list","data":[]}' });
    const err = await failure(summarizeWithLlm({ lines }, options()));
    expect(err.message).toBe("the model API returned an invalid response: no choices[0].message.content");
  });

  it("an empty summary", async () => {
    api.queue({ kind: "json", content: "   " });
    const err = await failure(summarizeWithLlm({ lines }, options()));
    expect(err.message).toBe("the model API returned an empty summary");
  });

  it("a stream event that is not JSON", async () => {
    api.queue({ kind: "stream", deltas: ["ok"], events: ["data: {not json\n\n"] });
    const err = await failure(summarizeWithLlm({ lines }, options({ stream: true })));
    expect(err.message).toBe("the model API returned an invalid response: a stream event is not JSON");
  });

  it("an error event in the middle of a stream", async () => {
    api.queue({ kind: "stream", deltas: [], events: ['data: {"error":{"message":"provider overloaded"}}\n\n'] });
    const err = await failure(summarizeWithLlm({ lines }, options({ stream: true })));
    expect(err.message).toBe("the model API failed while streaming: provider overloaded");
  });
});

describe("llm engine: connection problems", () => {
  it("times out when the server does not answer", async () => {
    api.queue({ kind: "json", content: "too late", delayMs: 3000 });
    const started = performance.now();
    const err = await failure(summarizeWithLlm({ lines }, options({ timeoutMs: 200 })));
    expectOneSafeLine(err);
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err.message).toBe("the model API did not answer within 0.2s");
    // The next step names the flag that gives the model longer.
    expect(err.hint).toContain("--llm-timeout");
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it("times out when a stream goes silent, but not while it keeps talking", async () => {
    api.queue({ kind: "stream", deltas: ["a", "b", "c", "d", "e", "f"], gapMs: 80 });
    const { summary } = await summarizeWithLlm({ lines }, options({ stream: true, timeoutMs: 300 }));
    expect(summary).toBe("abcdef");

    api.queue({ kind: "stream", deltas: ["a", "b"], gapMs: 1000 });
    const err = await failure(summarizeWithLlm({ lines }, options({ stream: true, timeoutMs: 300 })));
    expect(err.message).toBe("the model API did not answer within 0.3s");
  });

  it("connection refused names the URL", async () => {
    const baseUrl = `http://127.0.0.1:${await closedPort()}/v1`;
    const err = await failure(summarizeWithLlm({ lines }, options({ baseUrl })));
    expectOneSafeLine(err);
    expect(err.exitCode).toBe(ExitCode.connection);
    expect(err.message).toBe(`cannot reach the model API at ${baseUrl}: connection refused`);
  });

  it("connection refused on Ollama's port asks whether Ollama is running", async (ctx) => {
    if (await listening(11434)) ctx.skip();
    const err = await failure(
      summarizeWithLlm({ lines }, options({ baseUrl: "http://127.0.0.1:11434/v1", apiKey: undefined })),
    );
    expect(err.message).toBe("cannot reach the model API at http://127.0.0.1:11434/v1: is Ollama running?");
    expect(err.hint).toContain("ollama serve");
  });

  it("refuses credentials embedded in the base URL without showing them", async () => {
    const err = await failure(
      summarizeWithLlm({ lines }, options({ baseUrl: "http://me:hunter2pass@127.0.0.1:8000/v1" })),
    );
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toBe("the model API base URL http://127.0.0.1:8000/v1 must not contain credentials");
    expect(api.requests).toHaveLength(0);
  });

  it("rejects a base URL that is not an http(s) URL before sending anything", async () => {
    await expect(summarizeWithLlm({ lines }, options({ baseUrl: "localhost:11434/v1" }))).rejects.toBeInstanceOf(
      UsageError,
    );
    await expect(summarizeWithLlm({ lines }, options({ baseUrl: "ftp://example.com/v1" }))).rejects.toBeInstanceOf(
      UsageError,
    );
    await expect(summarizeWithLlm({ lines }, options({ maxInputTokens: 10 }))).rejects.toBeInstanceOf(UsageError);
  });
});

describe("llm engine: cancellation", () => {
  it("Ctrl-C during a request rejects with an AbortError", async () => {
    api.queue({ kind: "json", content: "too late", delayMs: 3000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const started = performance.now();
    const err = await failure(summarizeWithLlm({ lines }, options({ signal: controller.signal })));
    expect((err as Error).name).toBe("AbortError");
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it("Ctrl-C during a stream rejects with an AbortError after the deltas so far", async () => {
    api.queue({ kind: "stream", deltas: ["first ", "second ", "third"], gapMs: 200 });
    const controller = new AbortController();
    const seen: string[] = [];
    const promise = summarizeWithLlm(
      { lines },
      options({
        signal: controller.signal,
        onDelta: (t) => {
          seen.push(t);
          controller.abort();
        },
      }),
    );
    const err = await failure(promise);
    expect((err as Error).name).toBe("AbortError");
    expect(seen).toEqual(["first "]);
  });

  it("Ctrl-C while waiting to retry rejects at once", async () => {
    api.queue({ kind: "error", status: 429, headers: { "retry-after": "20" } });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const started = performance.now();
    const err = await failure(summarizeWithLlm({ lines }, options({ signal: controller.signal })));
    expect((err as Error).name).toBe("AbortError");
    expect(performance.now() - started).toBeLessThan(2000);
    expect(api.requests).toHaveLength(1);
  });

  it("an already aborted signal sends nothing", async () => {
    const controller = new AbortController();
    controller.abort();
    const err = await failure(summarizeWithLlm({ lines }, options({ signal: controller.signal })));
    expect((err as Error).name).toBe("AbortError");
    expect(api.requests).toHaveLength(0);
  });
});

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

describe("llm engine: redirects", () => {
  let other: FakeOpenAI;
  beforeEach(async () => {
    other = await startFakeOpenAI();
    other.queue({ kind: "json", content: "a summary written by another server" });
  });
  afterEach(async () => {
    await other.close();
  });

  it.each([307, 308, 301, 302, 303])(
    "%i to another origin is not followed: nothing reaches it, and the error says why",
    async (status) => {
      api.queue({
        kind: "error",
        status,
        body: {},
        headers: { location: `${other.baseUrl}/chat/completions` },
      });
      const err = await failure(summarizeWithLlm({ lines }, options()));
      expectOneSafeLine(err);
      expect(err).toBeInstanceOf(ConnectionError);
      expect(err.message).toContain(`redirected (HTTP ${status}) to another server (${new URL(other.baseUrl).origin})`);
      expect(err.message).toContain("not followed");
      expect(other.requests).toEqual([]);
    },
  );

  it("within the same origin, a 307 is followed with the same POST", async () => {
    api.script((request, i) =>
      i === 0
        ? { kind: "error", status: 307, body: {}, headers: { location: `${api.baseUrl}/moved/chat/completions` } }
        : { kind: "json", content: `answered at ${request.path} by ${request.method}` },
    );
    const r = await summarizeWithLlm({ lines }, options());
    expect(JSON.stringify(r)).toContain("answered at /v1/moved/chat/completions by POST");
    expect(api.requests[1].body.messages).toEqual(api.requests[0].body.messages);
    expect(api.requests[1].headers.authorization).toBe(`Bearer ${KEY}`);
  });
});
