// Connection, part 2: the shape of the URL, before anything is sent.
// Most "cannot connect" reports are a value in the wrong place: a redis:// URL
// where a REST client needs https://, an https:// URL where a Redis client
// needs redis://, a path copied along with the URL, quotes from a .env file.
// Values shown here never include credentials: only scheme, host and port.
import { isLoopbackUrl, restUrlPath, transportOf } from "../store/url.js";
import { describeStray } from "./raw-value.js";
import type { Target } from "./config.js";
import type { Findings } from "./checks.js";

export interface Endpoint {
  /** What the remaining checks connect to: cleaned, stray path removed. */
  url: string;
  transport: "rest" | "redis";
  /** Host name without IPv6 brackets, for DNS and TCP. */
  hostname: string;
  port: number;
  tls: boolean;
  /** False when the token must not be sent: plain http to another machine. */
  sendToken: boolean;
}

const DEFAULT_PORT: Record<string, number> = { "https:": 443, "http:": 80, "rediss:": 6379, "redis:": 6379 };
/** Variables other tools read a Redis (TCP) URL from; an https:// URL there never works. */
export const REDIS_URL_VARS = ["REDIS_URL", "KV_URL"];

const isUpstashHost = (host: string) => /(^|\.)upstash\.io$/i.test(host);

export function checkUrlShape(f: Findings, t: Target, env: NodeJS.ProcessEnv): Endpoint | undefined {
  checkRedisUrlVars(f, env);
  const stray = describeStray(t.url);
  if (stray) {
    f.add(
      "connection",
      "url-value",
      "fail",
      `the URL in ${t.urlLabel} has ${stray}; checked further without them`,
      "remove them: write KEY=value in .env files (Docker's --env-file keeps quotes as part of the value), and no line break",
    );
  }
  let u: URL;
  try {
    u = new URL(t.url.value);
  } catch {
    const bare = /^[a-z0-9.-]+(:\d+)?(\/|$)/i.test(t.url.value);
    f.add(
      "connection",
      "url",
      "fail",
      `the value of ${t.urlLabel} is not a URL`,
      bare
        ? "add the scheme: https://<host> for REST, rediss:// (with the password, port 6379) for Redis"
        : "expected https://<db>.upstash.io (REST) or redis://host:port",
    );
    return undefined;
  }
  return transportOf(u.href) === "redis" ? checkRedisUrl(f, t, u) : checkRestUrl(f, t, u);
}

function checkRestUrl(f: Findings, t: Target, u: URL): Endpoint | undefined {
  if (u.protocol !== "https:" && u.protocol !== "http:") {
    f.add(
      "connection",
      "url",
      "fail",
      `unsupported scheme '${u.protocol}' in ${t.urlLabel}`,
      "use https:// (REST) or redis:// / rediss:// (Redis protocol)",
    );
    return undefined;
  }
  let sendToken = true;
  const origin = `${u.protocol}//${u.host}`;
  if (u.protocol === "http:" && !isLoopbackUrl(u.href)) {
    sendToken = false;
    f.add(
      "connection",
      "url",
      "fail",
      `plain http:// to ${u.host}: the token would travel unencrypted, so doctor does not send it`,
      "use https://; plain http:// is only for a local endpoint such as `upstash-memory dev`",
    );
  } else if (u.protocol === "http:") {
    f.add("connection", "url", "pass", `REST URL ${origin} (plain http:// on this machine)`);
  } else {
    f.add("connection", "url", "pass", `REST URL ${origin}`);
  }
  const path = restUrlPath(u);
  if (path) f.add("connection", "url-path", "fail", `${path.message}; checked further without it`, path.hint);
  let host = u.host;
  if (isUpstashHost(u.hostname) && u.port && u.port !== "443") {
    host = u.hostname;
    f.add(
      "connection",
      "url-port",
      "fail",
      `port ${u.port} is not the REST port: Upstash serves REST on 443 (6379 is the Redis protocol port); checked further without it`,
      `use https://${u.hostname} with no port`,
    );
  }
  const url = `${u.protocol}//${host}`;
  const port = host === u.host && u.port ? Number(u.port) : DEFAULT_PORT[u.protocol];
  return { url, transport: "rest", hostname: bare(u.hostname), port, tls: u.protocol === "https:", sendToken };
}

function checkRedisUrl(f: Findings, t: Target, u: URL): Endpoint | undefined {
  const display = `${u.protocol}//${u.host}`;
  if (u.hostname === "http" || u.hostname === "https") {
    f.add(
      "connection",
      "url",
      "fail",
      `an https:// URL inside a ${u.protocol}// URL in ${t.urlLabel}`,
      "give either the https:// REST URL or the rediss:// URL, not one inside the other",
    );
    return undefined;
  }
  const problems: [string, string, string][] = [];
  if (isUpstashHost(u.hostname) && u.protocol === "redis:") {
    problems.push(["url-tls", "Upstash accepts only TLS connections: redis:// is refused", `use rediss://…@${u.host}`]);
  }
  if (u.port === "443") {
    problems.push([
      "url-port",
      "port 443 is the REST (https) port: the Redis protocol listens on 6379",
      "use port 6379, or the https:// URL for REST",
    ]);
  }
  if (isUpstashHost(u.hostname) && !u.password) {
    problems.push([
      "url-password",
      "no password in the URL: Upstash needs one",
      "copy the rediss:// URL from the console: it carries the password",
    ]);
  }
  if (!/^\/?\d*$/.test(u.pathname)) {
    problems.push([
      "url-path",
      `the path '${u.pathname.slice(0, 40)}' of a redis:// URL is the database number, and this is not a number`,
      "remove the path, or use /0",
    ]);
  }
  for (const [name, message, hint] of problems) f.add("connection", name, "fail", message, hint);
  if (problems.length) return undefined;
  f.add("connection", "url", "pass", `Redis URL ${display}${u.protocol === "rediss:" ? " (TLS)" : ""}`);
  if (/REST_(URL|API_URL)$/.test(t.urlLabel)) {
    f.add(
      "connection",
      "url-kind",
      "warn",
      `${t.urlLabel} holds a ${u.protocol}// URL: fine for this tool, but LangChain's UpstashRedisChatMessageHistory and Flowise's Upstash memory node need the https:// REST URL there`,
      `put ${isUpstashHost(u.hostname) ? `https://${u.hostname}` : "the https:// REST URL"} in ${t.urlLabel} with the REST token; the redis:// URL belongs to Redis clients (Flowise's Redis-Backed Chat Memory, LangChain's RedisChatMessageHistory)`,
    );
  }
  return {
    url: t.url.value,
    transport: "redis",
    hostname: bare(u.hostname),
    port: u.port ? Number(u.port) : DEFAULT_PORT[u.protocol],
    tls: u.protocol === "rediss:",
    sendToken: true,
  };
}

/** An https:// URL where a Redis client expects redis://: Flowise and LangChain's Redis classes read these. */
function checkRedisUrlVars(f: Findings, env: NodeJS.ProcessEnv): void {
  for (const name of REDIS_URL_VARS) {
    const value = env[name]?.trim();
    if (!value || !/^["']?https?:\/\//i.test(value)) continue;
    f.add(
      "connection",
      "redis-url-env",
      "warn",
      `${name} holds an http(s):// URL, but Redis clients (Flowise's Redis-Backed Chat Memory, LangChain's RedisChatMessageHistory) need redis:// or rediss://`,
      `set ${name} to the rediss:// URL from the console (port 6379, password included); the https:// URL belongs in UPSTASH_REDIS_REST_URL`,
    );
  }
}

function bare(hostname: string): string {
  return hostname.replace(/^\[|\]$/g, "");
}
