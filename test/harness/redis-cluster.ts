// The test cluster (redis-cluster-core.mjs, shared with `npm run bench`),
// started with the redis-server starter from the sources.
import type { Cluster, Redis as IORedis } from "ioredis";
import { freePort, startRedisServer } from "../../src/dev/redis-process.js";
import { startRedisCluster as start } from "./redis-cluster-core.mjs";

export interface ClusterNode {
  port: number;
  /** redis://:password@127.0.0.1:port */
  url: string;
  /** With `tls`: the node's TLS port. */
  tlsPort?: number;
  stop(): Promise<void>;
}

export interface RedisClusterHandle {
  password: string;
  nodes: ClusterNode[];
  /** A URL for the CLI: the first replica's, so "any node" really is any node (rediss:// with `tls`). */
  url: string;
  /** A cluster-aware client playing the app. */
  client(): Cluster;
  /** A plain connection to one node of this cluster (CLUSTER FAILOVER, INFO, ...). */
  nodeClient(port: number): IORedis;
  stop(): Promise<void>;
}

export interface RedisClusterOptions {
  masters?: number;
  replicasPerMaster?: number;
  /** cluster-node-timeout: short for failure tests, long for the shared cluster (a busy machine must not fail over). */
  nodeTimeoutMs?: number;
  /** Clients and the cluster bus over TLS with this certificate and key (the certificate is its own CA). */
  tls?: { cert: string; key: string };
}

export function startRedisCluster(opts: RedisClusterOptions = {}): Promise<RedisClusterHandle> {
  return start({ ...opts, startRedisServer, freePort });
}
