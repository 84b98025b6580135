// A Redis Cluster's layout as one node sees it (CLUSTER NODES + CLUSTER
// INFO): which masters serve which slots, which are failing, which slots no
// healthy master serves. Walks plan from it, and refuse to call a result
// complete when a part of the keyspace has nobody to answer for it.
import { SLOTS, slotRanges } from "./slots.js";

export interface ClusterMember {
  id: string;
  /** host:port the node announces (its hostname when it announces one). */
  name: string;
  /** host:port by IP, which clients are usually handed in CLUSTER SLOTS. */
  ipName: string;
  master: boolean;
  /** The master's id, for a replica. */
  masterId?: string;
  /** Marked failing (fail or fail?) by the node we asked. */
  failed: boolean;
  slots: number[];
}

export interface ClusterLayout {
  state: string;
  members: ClusterMember[];
}

/** Parses CLUSTER NODES (one node per line) and CLUSTER INFO. */
export function parseLayout(nodesText: string, infoText: string): ClusterLayout {
  const state = /cluster_state:(\w+)/.exec(infoText)?.[1] ?? "unknown";
  const members: ClusterMember[] = [];
  for (const line of nodesText.split("\n")) {
    const f = line.trim().split(" ");
    if (f.length < 8) continue;
    const [id, address, flags, masterId] = f;
    // ip:port@cport[,hostname]
    const [endpoint, hostname] = address.split(",");
    const ipPort = endpoint.split("@")[0];
    const port = ipPort.slice(ipPort.lastIndexOf(":") + 1);
    const flagSet = new Set(flags.split(","));
    if (flagSet.has("handshake") || flagSet.has("noaddr")) continue;
    const slots: number[] = [];
    for (const s of f.slice(8)) {
      if (s.startsWith("[")) continue; // a slot being migrated or imported: still its owner's
      const [a, b] = s.split("-").map(Number);
      for (let i = a; i <= (b ?? a); i++) slots.push(i);
    }
    members.push({
      id,
      name: hostname ? `${hostname}:${port}` : ipPort,
      ipName: ipPort,
      master: flagSet.has("master"),
      masterId: masterId !== "-" ? masterId : undefined,
      failed: flagSet.has("fail") || flagSet.has("fail?"),
      slots,
    });
  }
  return { state, members };
}

export function masters(layout: ClusterLayout): ClusterMember[] {
  return layout.members.filter((m) => m.master && m.slots.length > 0);
}

export function healthyMasters(layout: ClusterLayout): ClusterMember[] {
  return masters(layout).filter((m) => !m.failed);
}

export function replicasOf(layout: ClusterLayout, master: ClusterMember): ClusterMember[] {
  return layout.members.filter((m) => m.masterId === master.id);
}

/** Slots served by a healthy master. */
export function servedSlots(layout: ClusterLayout): number {
  return healthyMasters(layout).reduce((n, m) => n + m.slots.length, 0);
}

/**
 * What a walk of this layout would miss, one line each: failing masters
 * (with their slots) and slots no master holds. Empty when nothing is missed.
 */
export function layoutProblems(layout: ClusterLayout): string[] {
  const problems: string[] = [];
  const owned = new Uint8Array(SLOTS);
  for (const m of masters(layout)) {
    for (const s of m.slots) owned[s] = 1;
    if (m.failed) problems.push(`master ${m.name} (slots ${slotRanges(m.slots)}) is unreachable`);
  }
  const orphans: number[] = [];
  for (let s = 0; s < SLOTS; s++) if (!owned[s]) orphans.push(s);
  if (orphans.length) problems.push(`slots ${slotRanges(orphans)} are not served by any master`);
  if (!problems.length && layout.state !== "ok") problems.push(`cluster_state is ${layout.state}`);
  return problems;
}
