// What tests use to reach Redis and the local REST endpoint: the shared stack
// from global-setup, a private one for tests that need an empty database, and
// raw HTTP helpers for the wire details the official client hides.
import { randomBytes } from "node:crypto";
import { inject } from "vitest";
import { startRedisServer } from "../../src/dev/redis-process.js";
import { startEndpoint, type EndpointOptions } from "../../src/dev/server.js";

export interface Stack {
  redisUrl: string;
  restUrl: string;
  restToken: string;
  readonlyToken: string;
}

/** The Redis and endpoint shared by all tests (see global-setup.ts). */
export function stack(): Stack {
  return {
    redisUrl: inject("redisUrl"),
    restUrl: inject("restUrl"),
    restToken: inject("restToken"),
    readonlyToken: inject("readonlyToken"),
  };
}

/** A key prefix or session id no other test uses: `t-<label>-<random>`. */
export function uniqueId(label: string): string {
  return `t-${label}-${randomBytes(6).toString("hex")}`;
}

export interface IsolatedStack extends Stack {
  /** Stop only redis-server, leaving the endpoint up (connection-loss tests). */
  stopRedis(): Promise<void>;
  close(): Promise<void>;
}

/** A redis-server and endpoint of the test's own, for tests that need an empty database. */
export async function startIsolatedStack(
  opts: Partial<Pick<EndpointOptions, "latencyMs">> = {},
): Promise<IsolatedStack> {
  const redis = await startRedisServer();
  const restToken = randomBytes(24).toString("base64url");
  const readonlyToken = randomBytes(24).toString("base64url");
  const endpoint = await startEndpoint({ redisUrl: redis.url, token: restToken, readonlyToken, ...opts }).catch(
    async (err) => {
      await redis.stop();
      throw err;
    },
  );
  return {
    redisUrl: redis.url,
    restUrl: endpoint.url,
    restToken,
    readonlyToken,
    stopRedis: () => redis.stop(),
    close: async () => {
      await endpoint.close();
      await redis.stop();
    },
  };
}

export interface RawResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON, or the text when the body is not JSON. */
  // biome-ignore lint/suspicious/noExplicitAny: tests read whatever JSON the endpoint answered
  body: any;
}

export interface RawRequest {
  method?: string;
  /** Sent as `Authorization: Bearer`; null sends no token. */
  token?: string | null;
  headers?: Record<string, string>;
  /** Sent as is when a string or bytes, else as JSON. */
  body?: unknown;
}

/** One HTTP request to the endpoint, with nothing of @upstash/redis in between. */
export async function rawRequest(baseUrl: string, path: string, req: RawRequest = {}): Promise<RawResponse> {
  const headers: Record<string, string> = { ...req.headers };
  if (req.token) headers.authorization = `Bearer ${req.token}`;
  let body: BodyInit | undefined;
  if (typeof req.body === "string") body = req.body;
  else if (req.body instanceof Uint8Array) body = req.body as Uint8Array<ArrayBuffer>;
  else if (req.body !== undefined) body = JSON.stringify(req.body);
  const res = await fetch(baseUrl + path, {
    method: req.method ?? (body === undefined ? "GET" : "POST"),
    headers,
    body,
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON: the test sees the text.
  }
  return { status: res.status, headers: res.headers, body: parsed };
}

/** `POST /` with one command as a JSON array. */
export function rawCommand(
  baseUrl: string,
  token: string | null,
  cmd: unknown[],
  headers?: Record<string, string>,
): Promise<RawResponse> {
  return rawRequest(baseUrl, "/", { token, body: cmd, headers });
}
