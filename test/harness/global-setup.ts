// One Redis and one local REST endpoint for the whole test run. Tests share
// them and stay apart by key prefix (uniqueId), so nothing ever flushes the
// database: with REDIS_URL set it may be a server someone else uses.
import { randomBytes } from "node:crypto";
import type { TestProject } from "vitest/node";
import { startRedisServer } from "../../src/dev/redis-process.js";
import { startEndpoint } from "../../src/dev/server.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** redis://127.0.0.1:PORT of the shared Redis. */
    redisUrl: string;
    /** http://127.0.0.1:PORT of the shared endpoint. */
    restUrl: string;
    restToken: string;
    readonlyToken: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const redis = process.env.REDIS_URL ? undefined : await startRedisServer();
  const redisUrl = process.env.REDIS_URL ?? redis!.url;
  const restToken = randomBytes(24).toString("base64url");
  const readonlyToken = randomBytes(24).toString("base64url");
  const endpoint = await startEndpoint({ redisUrl, token: restToken, readonlyToken }).catch(async (err) => {
    await redis?.stop();
    throw err;
  });
  project.provide("redisUrl", redisUrl);
  project.provide("restUrl", endpoint.url);
  project.provide("restToken", restToken);
  project.provide("readonlyToken", readonlyToken);
  return async () => {
    await endpoint.close();
    await redis?.stop();
  };
}
