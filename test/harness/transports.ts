// The two ways the CLI reaches Redis; end-to-end tests run on both.
import { Redis as IORedis } from "ioredis";
import { stack } from "./stack.js";
import { runCli, type RunOptions, type RunResult } from "./cli.js";

export type TransportName = "rest" | "redis";
export const TRANSPORTS: TransportName[] = ["rest", "redis"];

/** Environment (or flags) that point the CLI at the test stack. */
export function connectionEnv(t: TransportName): Record<string, string> {
  const s = stack();
  return t === "rest" ? { UPSTASH_REDIS_REST_URL: s.restUrl, UPSTASH_REDIS_REST_TOKEN: s.restToken } : { UPSTASH_REDIS_REST_URL: s.redisUrl };
}

export function cliOn(t: TransportName) {
  return (args: string[], opts: RunOptions = {}): Promise<RunResult> => runCli(args, { ...opts, env: { ...connectionEnv(t), ...opts.env } });
}

/** A direct connection playing the app (LangChain/Flowise) and checking results. */
export function appRedis(): IORedis {
  return new IORedis(stack().redisUrl, { lazyConnect: false, maxRetriesPerRequest: 1 });
}

/** Push elements given oldest first, as an app does (LPUSH each in turn). */
export async function writeConversation(r: IORedis, key: string, oldestFirst: (string | Buffer)[], ttl?: number): Promise<void> {
  for (const e of oldestFirst) await r.lpush(key, e);
  if (ttl) await r.expire(key, ttl);
}

export async function lrangeBytes(r: IORedis, key: string): Promise<Buffer[]> {
  return r.lrangeBuffer(key, 0, -1);
}
