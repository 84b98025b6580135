// The pure parts of cluster support: hash slots, the layout a node reports,
// grouping keys for multi-key scripts, and merging the walks of several nodes.
import { describe, expect, it } from "vitest";
import { groupBySlot, keysOf, slotOf, slotOfCommand, slotRanges } from "../../src/store/slots.js";
import { layoutProblems, parseLayout, servedSlots } from "../../src/store/cluster-layout.js";
import { multiKeyRequests } from "../../src/store/shards.js";
import { mergeBounded } from "../../src/sessions/scan.js";
import type { Store } from "../../src/store/types.js";

describe("hash slots", () => {
  it("agree with Redis (CLUSTER KEYSLOT) and honour hash tags", () => {
    // Values from `CLUSTER KEYSLOT` on Redis 7.
    expect(slotOf("foo")).toBe(12182);
    expect(slotOf("message_store:abc")).toBe(slotOf(Buffer.from("message_store:abc")));
    expect(slotOf("{user-42}:a")).toBe(slotOf("{user-42}:b"));
    expect(slotOf(Buffer.from([0xff, 0xfe]))).toBeGreaterThanOrEqual(0);
  });

  it("find the keys of the commands this tool sends", () => {
    expect(keysOf(["EVAL", "return 1", 2, "a", "b", "x"])).toEqual(["a", "b"]);
    expect(keysOf(["LRANGE", "k", 0, -1])).toEqual(["k"]);
    expect(keysOf(["SCAN", "0", "MATCH", "*"])).toEqual([]);
    expect(slotOfCommand(["PING"])).toBeUndefined();
    expect(slotOfCommand(["EVAL", "s", 2, "{t}a", "{t}b"])).toBe(slotOf("t"));
    expect(slotOfCommand(["EVAL", "s", 2, "foo", "bar"])).toBeNull();
  });

  it("group keys by slot, keeping their order, and write ranges compactly", () => {
    const groups = groupBySlot(["{a}1", "b", "{a}2", "c"]);
    expect(groups.find((g) => g.includes("{a}1"))).toEqual(["{a}1", "{a}2"]);
    expect(groups.flat().sort()).toEqual(["b", "c", "{a}1", "{a}2"]);
    expect(slotRanges([0, 1, 2, 5, 7, 8])).toBe("0-2, 5, 7-8");
  });
});

const NODES = [
  "07c3 127.0.0.1:30001@40001 myself,master - 0 0 1 connected 0-5460",
  "67ed 127.0.0.1:30002@40002 master - 0 0 2 connected 5461-10922 [10923->-292f]",
  "292f 127.0.0.1:30003@40003,redis-3.example master,fail - 0 0 3 disconnected 10923-16383",
  "6ec2 127.0.0.1:30004@40004 slave 07c3 0 0 1 connected",
  "824f 127.0.0.1:30005@40005 slave,fail? 67ed 0 0 2 connected",
].join("\n");

describe("cluster layout", () => {
  it("reads masters, replicas, failures and slots from CLUSTER NODES", () => {
    const layout = parseLayout(NODES, "cluster_state:fail\r\ncluster_slots_assigned:16384\r\n");
    expect(layout.state).toBe("fail");
    const byId = Object.fromEntries(layout.members.map((m) => [m.id, m]));
    expect(byId["07c3"]).toMatchObject({ name: "127.0.0.1:30001", master: true, failed: false });
    expect(byId["07c3"].slots).toHaveLength(5461);
    // A migrating slot stays its owner's; a hostname names the node.
    expect(byId["67ed"].slots).toHaveLength(5462);
    expect(byId["292f"]).toMatchObject({ name: "redis-3.example:30003", ipName: "127.0.0.1:30003", failed: true });
    expect(byId["824f"]).toMatchObject({ master: false, masterId: "67ed", failed: true });
    expect(servedSlots(layout)).toBe(5461 + 5462);
    expect(layoutProblems(layout)).toEqual(["master redis-3.example:30003 (slots 10923-16383) is unreachable"]);
  });

  it("names slots nobody serves, and a failing state with nothing else wrong", () => {
    const partial = parseLayout(
      NODES.split("\n")
        .filter((l) => !l.startsWith("292f"))
        .join("\n"),
      "cluster_state:fail",
    );
    expect(layoutProblems(partial)).toEqual(["slots 10923-16383 are not served by any master"]);
    const healthy = parseLayout(NODES.replace("master,fail", "master"), "cluster_state:ok");
    expect(layoutProblems(healthy)).toEqual([]);
    expect(layoutProblems({ ...healthy, state: "fail" })).toEqual(["cluster_state is fail"]);
  });
});

describe("multi-key requests", () => {
  const oneRedis = { target: "redis://x", pipeline: async () => [] } as unknown as Store;
  const cluster = { ...oneRedis, keyGroups: async (keys: string[]) => groupBySlot(keys) } as unknown as Store;

  it("one Redis: one command per request of at most `max` keys, as before", async () => {
    const keys = Array.from({ length: 7 }, (_, i) => `k${i}`);
    const requests = await multiKeyRequests(oneRedis, keys, (k) => k, 3);
    expect(requests).toEqual([[["k0", "k1", "k2"]], [["k3", "k4", "k5"]], [["k6"]]]);
  });

  it("a cluster: each command one slot, each request at most `max` keys, nothing lost or doubled", async () => {
    const keys = [...Array.from({ length: 20 }, (_, i) => `s${i}`), "{t}a", "{t}b", "{t}c", "s3"];
    const requests = await multiKeyRequests(cluster, keys, (k) => k, 4);
    for (const r of requests) {
      expect(r.flat().length).toBeLessThanOrEqual(4);
      for (const cmd of r) expect(new Set(cmd.map(slotOf)).size).toBe(1);
    }
    expect(requests.flat(2).sort()).toEqual([...keys].sort());
  });
});

describe("merging the walks of several nodes", () => {
  async function* walk(name: string, pages: number, log: string[]) {
    for (let i = 0; i < pages; i++) {
      log.push(`${name}${i}`);
      await new Promise((r) => setTimeout(r, 1));
      yield `${name}${i}`;
    }
  }

  it("yields every item of every source, at most `bound` running at once", async () => {
    const log: string[] = [];
    const started: string[] = [];
    const sources = ["a", "b", "c", "d"].map((n) => () => {
      started.push(n);
      return walk(n, 3, log);
    });
    const got: string[] = [];
    for await (const x of mergeBounded(sources, 2)) {
      got.push(x);
      // While a and b run, c and d wait.
      if (got.length === 1) expect(started).toEqual(["a", "b"]);
    }
    expect(got.sort()).toEqual(["a0", "a1", "a2", "b0", "b1", "b2", "c0", "c1", "c2", "d0", "d1", "d2"]);
  });

  it("stops every source when the consumer stops, and passes a failure on", async () => {
    const log: string[] = [];
    const sources = ["a", "b"].map((n) => () => walk(n, 100, log));
    let n = 0;
    for await (const _ of mergeBounded(sources, 2)) if (++n === 3) break;
    const after = log.length;
    await new Promise((r) => setTimeout(r, 20));
    expect(log.length).toBe(after);
    expect(after).toBeLessThan(10);

    async function* failing() {
      yield "x";
      throw new Error("node lost");
    }
    const merged = mergeBounded([() => failing(), () => walk("ok", 50, [])], 2);
    await expect(
      (async () => {
        for await (const _ of merged);
      })(),
    ).rejects.toThrow("node lost");
  });
});
