// How a command that walks the keyspace, or sends many keys in one command,
// sees any store: a single keyspace (Upstash REST, one Redis) is one node
// and one group; a Redis Cluster answers for itself (store/cluster.ts).
import type { ScanNodes, Store } from "./types.js";
import { ConnectionError } from "../errors/errors.js";

export function scanNodesOf(store: Store): Promise<ScanNodes> {
  if (store.scanNodes) return store.scanNodes();
  return Promise.resolve(oneNode(store));
}

/** A keyspace on one server: one node, nothing to replace it with. */
export function oneNode(store: Pick<Store, "target" | "pipeline">): ScanNodes {
  return {
    nodes: [{ name: store.target, pipeline: (cmds, opts) => store.pipeline(cmds, opts) }],
    restartable: false,
    replace: (_node, cause) => Promise.reject(cause),
  };
}

export function keyGroupsOf(store: Store, keys: string[]): Promise<string[][]> {
  if (store.keyGroups) return store.keyGroups(keys);
  return Promise.resolve(keys.length ? [keys] : []);
}

/**
 * Items to send in multi-key commands: each command holds one group (one hash
 * slot on a cluster) of at most `max` items, and each request at most `max`
 * items in all, so one Redis gets one command per request as it always did.
 * → requests, each a list of commands, each a list of items.
 */
export async function multiKeyRequests<T>(
  store: Store,
  items: T[],
  keyOf: (item: T) => string,
  max: number,
): Promise<T[][][]> {
  const byKey = new Map<string, T[]>();
  for (const item of items) {
    const k = keyOf(item);
    const same = byKey.get(k);
    if (same) same.push(item);
    else byKey.set(k, [item]);
  }
  const requests: T[][][] = [];
  let request: T[][] = [];
  let size = 0;
  for (const group of await keyGroupsOf(store, [...byKey.keys()])) {
    const groupItems = group.flatMap((k) => byKey.get(k)!);
    for (let i = 0; i < groupItems.length; i += max) {
      const part = groupItems.slice(i, i + max);
      if (size + part.length > max && request.length) {
        requests.push(request);
        request = [];
        size = 0;
      }
      request.push(part);
      size += part.length;
    }
  }
  if (request.length) requests.push(request);
  return requests;
}

/**
 * A cluster node stopped serving what it served when a walk began (it became
 * a replica in a failover, or its slots moved): walk again where they went.
 */
export class NodeChangedError extends ConnectionError {
  constructor(message: string) {
    super(message, "the cluster changed during the command; run it again once it is stable");
  }
}
