// `stats`: what is in this memory, in one pass over the keys (the listing's
// walk, src/sessions/scan.ts, with keys of every type). Each session is
// counted where it is stored (STATS_LUA: a dozen numbers back, no elements),
// so a million sessions cost what listing them costs in requests, and the
// client keeps one 32-bit count per session (4 MB at a million) for exact
// percentiles, plus a top ten.
//
// The MCP tool `session_stats` and the command share this function:
//   collectStats(store, keys, opts) → Promise<StatsReport>, the `--json` object.
import type { Outcome, Store } from "../store/types.js";
import { keyFields, type KeySpace } from "../sessions/keys.js";
import { scanKeys, type KeyPlan, type ScanOptions } from "../sessions/scan.js";
import { asArray, asInt, asText, asBytes } from "../store/replies.js";
import { parseElement, roleOf } from "../history/codec.js";
import { ttlFromReply } from "../duration/duration.js";
import { STATS_LUA, loadScript, script, scriptCall, scriptFailed } from "../search/scripts.js";

export const ROLES = ["user", "assistant", "system", "tool", "other"] as const;
export const TTL_BUCKETS = ["none", "under1h", "under1d", "under7d", "longer"] as const;

export interface StatsReport {
  /** Chat histories (lists) matching the pattern. */
  sessions: number;
  /** All their elements, as LLEN counts them. */
  messages: number;
  byRole: Record<(typeof ROLES)[number], number>;
  /** Elements that are not chat messages. */
  unrecognized: number;
  messagesPerSession: { p50: number; p90: number; p99: number; max: number };
  /** Sessions by remaining TTL. */
  ttl: Record<(typeof TTL_BUCKETS)[number], number>;
  bytes: number;
  /** "memory usage": MEMORY USAGE of the keys; "elements": the elements' total size (where MEMORY USAGE is refused). */
  bytesMeasure: "memory usage" | "elements";
  /** The 10 sessions with the most messages, most first (ties by id). */
  largest: { sessionId: string; count: number }[];
  /** Keys matching the pattern that are not chat histories, by Redis type. */
  otherKeys: Record<string, number>;
}

export interface StatsOptions {
  /** Glob on session ids (after the prefix). */
  pattern?: string;
  onProgress?: ScanOptions["onProgress"];
}

/** One key as counted. */
type KeyStats =
  | { kind: "other"; type: string }
  | {
      kind: "list";
      key: string;
      count: number;
      ttlSeconds: number | null;
      memory: number | null;
      elementBytes: number;
      roles: number[];
      unrecognized: number;
    }
  | { kind: "retry"; key: string };

const STATS = script(STATS_LUA);
const TOP = 10;

function statsPlan(store: Store): KeyPlan<KeyStats> {
  return {
    commands(key) {
      const call = scriptCall(store, STATS, key, []);
      return call ? [call] : plainCommands(key);
    },
    read(key, o) {
      if (o.length > 1) return readPlain(key, o);
      if (scriptFailed(o[0])) return { kind: "retry", key };
      if (!o[0].ok) return null;
      const r = asArray(o[0].value);
      const type = asText(r[0]);
      if (type !== "list") return type === "none" ? null : { kind: "other", type };
      const [count, ttl, memory, elementBytes, ...rest] = r.slice(1).map((x) => asInt(x));
      if (count === 0) return null;
      return {
        kind: "list",
        key,
        count,
        ttlSeconds: ttlFromReply(ttl),
        memory: memory < 0 ? null : memory,
        elementBytes,
        roles: rest.slice(0, ROLES.length),
        unrecognized: rest[ROLES.length],
      };
    },
  };
}

/** Without the script (it did not run there): the same numbers from the elements, decoded here. */
function plainCommands(key: string) {
  return [
    ["TYPE", key],
    ["TTL", key],
    ["LRANGE", key, 0, -1],
    ["MEMORY", "USAGE", key, "SAMPLES", "0"],
  ];
}

function readPlain(key: string, [type, ttl, range, memory]: Outcome[]): KeyStats | null {
  if (!type.ok) return null;
  const t = asText(type.value);
  if (t !== "list") return t === "none" ? null : { kind: "other", type: t };
  if (!ttl.ok || !range.ok) return null;
  const els = asArray(range.value).map((e) => asBytes(e));
  if (!els.length) return null;
  const roles = ROLES.map(() => 0);
  let unrecognized = 0;
  let elementBytes = 0;
  for (const e of els) {
    elementBytes += e.length;
    const parsed = parseElement(e);
    if (!parsed.ok) {
      unrecognized++;
      continue;
    }
    const at = ROLES.indexOf(roleOf(parsed.message) as (typeof ROLES)[number]);
    roles[at < 0 ? ROLES.indexOf("other") : at]++;
  }
  return {
    kind: "list",
    key,
    count: els.length,
    ttlSeconds: ttlFromReply(asInt(ttl.value)),
    memory: memory.ok ? asInt(memory.value) : null,
    elementBytes,
    roles,
    unrecognized,
  };
}

/** Counts per session in a growing typed array: 4 bytes a session. */
class Counts {
  private a = new Uint32Array(1024);
  length = 0;
  add(n: number): void {
    if (this.length === this.a.length) {
      const b = new Uint32Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.length++] = n;
  }
  /** Nearest-rank percentiles of what was added. */
  percentiles(): StatsReport["messagesPerSession"] {
    const sorted = this.a.subarray(0, this.length).sort();
    const rank = (p: number) => (this.length ? sorted[Math.max(0, Math.ceil(p * this.length) - 1)] : 0);
    return { p50: rank(0.5), p90: rank(0.9), p99: rank(0.99), max: this.length ? sorted[this.length - 1] : 0 };
  }
}

function ttlBucket(ttl: number | null): (typeof TTL_BUCKETS)[number] {
  if (ttl === null) return "none";
  if (ttl < 3600) return "under1h";
  if (ttl < 86400) return "under1d";
  if (ttl < 7 * 86400) return "under7d";
  return "longer";
}

export async function collectStats(store: Store, keySpace: KeySpace, opts: StatsOptions = {}): Promise<StatsReport> {
  await loadScript(store, STATS);
  const counts = new Counts();
  const byRole = Object.fromEntries(ROLES.map((r) => [r, 0])) as StatsReport["byRole"];
  const ttl = Object.fromEntries(TTL_BUCKETS.map((b) => [b, 0])) as StatsReport["ttl"];
  const otherKeys: Record<string, number> = {};
  let largest: { key: string; count: number }[] = [];
  let messages = 0;
  let unrecognized = 0;
  let memory = 0;
  let elementBytes = 0;
  let memoryEverywhere = true;
  const add = (s: KeyStats) => {
    if (s.kind === "retry") return;
    if (s.kind === "other") {
      otherKeys[s.type] = (otherKeys[s.type] ?? 0) + 1;
      return;
    }
    counts.add(s.count);
    messages += s.count;
    unrecognized += s.unrecognized;
    ROLES.forEach((r, i) => {
      byRole[r] += s.roles[i];
    });
    ttl[ttlBucket(s.ttlSeconds)]++;
    elementBytes += s.elementBytes;
    if (s.memory === null) memoryEverywhere = false;
    else memory += s.memory;
    if (largest.length < TOP || s.count >= largest[largest.length - 1].count) {
      largest.push({ key: s.key, count: s.count });
      largest.sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      largest = largest.slice(0, TOP);
    }
  };
  const plan = statsPlan(store);
  for await (const page of scanKeys(store, keySpace, plan, { ...opts, anyType: true })) {
    const retry = page.flatMap((s) => (s.kind === "retry" ? [s.key] : []));
    for (const s of page) add(s);
    if (!retry.length) continue;
    const outcomes = await store.pipeline(retry.flatMap(plainCommands), { idempotent: true });
    retry.forEach((key, i) => {
      const s = readPlain(key, outcomes.slice(4 * i, 4 * i + 4));
      if (s) add(s);
    });
  }
  const useMemory = memoryEverywhere && counts.length > 0;
  return {
    sessions: counts.length,
    messages,
    byRole,
    unrecognized,
    messagesPerSession: counts.percentiles(),
    ttl,
    bytes: useMemory ? memory : elementBytes,
    bytesMeasure: useMemory ? "memory usage" : "elements",
    // A key that is not UTF-8 is shown with \xff escapes, as everywhere.
    largest: largest.map((l) => ({ sessionId: keyFields(keySpace.sessionId(l.key), l.key).sessionId, count: l.count })),
    otherKeys,
  };
}
