// One Redis, one local REST endpoint and one Redis Cluster (3 masters, 3
// replicas) for the whole test run. Tests share them and stay apart by key
// prefix (uniqueId), so nothing ever flushes the database: with REDIS_URL set
// it may be a server someone else uses.
import { randomBytes } from "node:crypto";
import type { TestProject } from "vitest/node";
import { startRedisServer } from "../../src/dev/redis-process.js";
import { startEndpoint } from "../../src/dev/server.js";
import { startRedisCluster } from "./redis-cluster.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** redis://127.0.0.1:PORT of the shared Redis. */
    redisUrl: string;
    /** http://127.0.0.1:PORT of the shared endpoint. */
    restUrl: string;
    restToken: string;
    readonlyToken: string;
    /** redis://:password@127.0.0.1:PORT of a replica of the shared 3-master cluster. */
    clusterUrl: string;
    clusterPassword: string;
    /** Every node's port, masters and replicas. */
    clusterPorts: number[];
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // The cluster takes a few seconds to form: start it while the rest starts.
  const clusterStarting = startRedisCluster();
  clusterStarting.catch(() => {}); // awaited below
  const redis = process.env.REDIS_URL ? undefined : await startRedisServer();
  const redisUrl = process.env.REDIS_URL ?? redis!.url;
  const restToken = randomBytes(24).toString("base64url");
  const readonlyToken = randomBytes(24).toString("base64url");
  const endpoint = await startEndpoint({ redisUrl, token: restToken, readonlyToken }).catch(async (err) => {
    await redis?.stop();
    await clusterStarting.then(
      (c) => c.stop(),
      () => {},
    );
    throw err;
  });
  const cluster = await clusterStarting.catch(async (err) => {
    await endpoint.close();
    await redis?.stop();
    throw err;
  });
  project.provide("clusterUrl", cluster.url);
  project.provide("clusterPassword", cluster.password);
  project.provide(
    "clusterPorts",
    cluster.nodes.map((n) => n.port),
  );
  project.provide("redisUrl", redisUrl);
  project.provide("restUrl", endpoint.url);
  project.provide("restToken", restToken);
  project.provide("readonlyToken", readonlyToken);
  return async () => {
    await endpoint.close();
    await redis?.stop();
    await cluster.stop();
  };
}
