// Requests that once walked around the endpoint's command policy: names that
// Unicode case mapping turns into a Redis command (ſ→S, ı→I, ﬂ→FL), commands
// that block or change a shared connection, administration. Each is sent with
// the token(s) it was dangerous with, in the spelling that was reported and in
// plain ASCII cases, and must be refused (4xx, or the item's error inside a
// pipeline) while redis-server, the endpoint and other clients carry on as if
// it had never been sent. On a stack of their own: a regression must not take
// down the server the rest of the suite shares.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rawCommand, rawRequest, startIsolatedStack, type IsolatedStack, type RawResponse } from "../harness/stack.js";
import { HealthCheck } from "./health.js";

let iso: IsolatedStack;
let health: HealthCheck;

beforeAll(async () => {
  iso = await startIsolatedStack();
  health = await HealthCheck.open(iso);
  await health.direct.set("k", "before");
  await health.direct.rpush("x", "element");
  await health.direct.xadd("xs", "*", "f", "v");
  await health.direct.xgroup("CREATE", "xs", "streams", "0");
});
afterAll(async () => {
  health?.close();
  await iso?.close();
});

type Who = "readonly" | "full";
const BOTH: Who[] = ["readonly", "full"];

interface Payload {
  route: "/" | "/pipeline" | "/multi-exec";
  body: unknown[];
  /** Only the read-only token may not run it (the full token may: it is an ordinary write). */
  who: Who[];
}

const single = (body: unknown[], who: Who[] = BOTH): Payload => ({ route: "/", body, who });

/** The payloads as reported (JSON \u escapes decoded here). */
const REPORTED: Payload[] = [
  single(["\u017fet", "k", "1"]),
  single(["\u0131ncr", "n"]),
  single(["\ufb02ushall"]),
  single(["conf\u0131g", "SET", "maxmemory", "1234567"]),
  single(["\u017fcript", "FLUSH"]),
  { route: "/pipeline", body: [["\u017fet", "k", "1"]], who: BOTH },
  { route: "/multi-exec", body: [["\u017fet", "k", "1"]], who: BOTH },
  single(["eval\u017fha", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "0"]),
  single(["\u017fubscribe", "c"]),
  single(["\u017fhutdown", "NOSAVE"]),
  single(["qu\u0131t"]),
  single(["mon\u0131tor"]),
  single(["brpoplpu\u017fh", "x", "y", "0"]),
  single(["\u017felect", "5"]),
  {
    route: "/multi-exec",
    body: [
      ["\u017felect", "5"],
      ["SET", "k", "in-db-5"],
    ],
    who: BOTH,
  },
  single(["mult\u0131"]),
  single(["cl\u0131ent", "kill", "TYPE", "normal"]),
  single(["XREADGROUP", "GROUP", "streams", "c", "BLOCK", "0", "STREAMS", "xs", ">"]),
  single(["CONFIG", "SET", "maxmemory", "1234567"]),
  // More code points whose case mapping lands in ASCII: the Kelvin sign (K → k),
  // ligatures ﬀ ﬁ ﬆ, and the dotted capital I.
  single(["\u212aeys", "*"]),
  single(["\ufb00lushall"]),
  single(["\ufb06rlen", "k"]),
  single(["\u0130ncr", "n"]),
];

/** The same commands in plain ASCII, upper, lower and mixed case, with the tokens that may not run them. */
const ASCII: Payload[] = [
  ...["SET", "set", "sEt"].map((n) => single([n, "k", "1"], ["readonly"])),
  ...["INCR", "incr"].map((n) => single([n, "n"], ["readonly"])),
  ...["FLUSHALL", "flushAll"].map((n) => single([n], ["readonly"])),
  ...["SCRIPT", "script"].map((n) => single([n, "FLUSH"], ["readonly"])),
  ...["CONFIG", "config"].map((n) => single([n, "set", "maxmemory", "1234567"])),
  single(["config", "get", "maxmemory"]),
  ...["SUBSCRIBE", "subscribe", "PSUBSCRIBE", "ssubscribe"].map((n) => single([n, "c"])),
  ...["SHUTDOWN", "shutdown"].map((n) => single([n, "NOSAVE"])),
  ...["QUIT", "quit", "RESET", "MONITOR", "monitor", "MULTI", "multi", "EXEC", "DISCARD", "UNWATCH"].map((n) =>
    single([n]),
  ),
  single(["WATCH", "k"]),
  ...["SELECT", "select", "sElEcT"].map((n) => single([n, "5"])),
  single(["SWAPDB", "0", "5"]),
  single(["MOVE", "k", "5"]),
  single(["HELLO", "3"]),
  single(["AUTH", "x"]),
  ...["CLIENT", "client"].map((n) => single([n, "kill", "TYPE", "normal"])),
  single(["CLIENT", "REPLY", "OFF"]),
  single(["CLIENT", "PAUSE", "100000"]),
  ...["BRPOPLPUSH", "brpoplpush"].map((n) => single([n, "x", "y", "0"])),
  single(["BLPOP", "q", "0"]),
  single(["BLMOVE", "x", "y", "LEFT", "RIGHT", "0"]),
  single(["BZPOPMAX", "z", "0"]),
  single(["WAIT", "1", "0"]),
  single(["WAITAOF", "1", "1", "0"]),
  single(["XREAD", "BLOCK", "0", "STREAMS", "xs", "$"]),
  single(["xread", "count", "1", "block", "0", "streams", "xs", "$"]),
  single(["XREADGROUP", "GROUP", "streams", "c", "block", "0", "STREAMS", "xs", ">"]),
  single(["XREADGROUP", "GROUP", "g", "STREAMS", "NOACK", "BLOCK", "0", "STREAMS", "xs", ">"]),
  ...[
    "DEBUG",
    "SAVE",
    "BGSAVE",
    "REPLICAOF",
    "SLAVEOF",
    "FAILOVER",
    "CLUSTER",
    "MODULE",
    "ACL",
    "MIGRATE",
    "SYNC",
    "PSYNC",
  ].map((n) =>
    single(n === "DEBUG" ? [n, "SLEEP", "0"] : n === "ACL" ? [n, "SETUSER", "evil", "on", ">pw", "+@all"] : [n]),
  ),
  single(["OBJECT", "FREQ", "k"]),
  single(["SORT", "x", "STORE", "k"]),
  single(["COPY", "k", "k2", "DB", "5"]),
  single(["SCAN", "0"], ["readonly"]),
  single(["KEYS", "*"], ["readonly"]),
  single(["EVAL", "return redis.call('SET', 'k', '1')", "0"], ["readonly"]),
  single(["FCALL", "f", "0"], ["readonly"]),
  single(["PUBLISH", "c", "m"], ["readonly"]),
  { route: "/pipeline", body: [["SELECT", "5"], ["MULTI"], ["SUBSCRIBE", "c"]], who: BOTH },
  { route: "/multi-exec", body: [["SET", "k", "1"]], who: ["readonly"] },
  { route: "/multi-exec", body: [["MULTI"], ["SET", "k", "1"]], who: BOTH },
];

function tokenOf(who: Who): string {
  return who === "full" ? iso.restToken : iso.readonlyToken;
}

function describePayload(p: Payload, who: Who): string {
  return `${who} ${p.route} ${JSON.stringify(p.body)}`;
}

function send(p: Payload, who: Who): Promise<RawResponse> {
  return p.route === "/"
    ? rawCommand(iso.restUrl, tokenOf(who), p.body)
    : rawRequest(iso.restUrl, p.route, { token: tokenOf(who), body: p.body });
}

function expectRefused(p: Payload, res: RawResponse, label: string): void {
  if (p.route === "/pipeline") {
    expect(res.status, label).toBe(200);
    expect(res.body, label).toHaveLength(p.body.length);
    for (const item of res.body) {
      expect(Object.keys(item), label).toEqual(["error"]);
      expect(item.error, label).toMatch(/^(ERR|NOPERM)/);
    }
    return;
  }
  expect(res.status, label).toBeGreaterThanOrEqual(400);
  expect(res.status, label).toBeLessThan(500);
  expect(Object.keys(res.body), label).toEqual(["error"]);
}

async function expectEachRefused(payloads: Payload[]): Promise<void> {
  for (const p of payloads) {
    for (const who of p.who) {
      const label = describePayload(p, who);
      const before = await health.baseline();
      expectRefused(p, await send(p, who), label);
      expect(await health.direct.get("k"), label).toBe("before");
      expect(await health.direct.exists("n"), label).toBe(0);
      await health.expectHealthy(before, label);
    }
  }
}

describe("requests that escaped the policy", () => {
  it("refuses every reported spelling, with either token, and nothing changes", async () => {
    await expectEachRefused(REPORTED);
  });

  it("refuses the same commands in plain ASCII, whatever their case", async () => {
    await expectEachRefused(ASCII);
  });

  it("runs nothing for HEAD or PUT (405), with either token", async () => {
    for (const who of BOTH) {
      for (const [method, path] of [
        ["HEAD", "/set/k/1"],
        ["HEAD", "/flushall"],
        ["PUT", "/set/k/1"],
        ["PUT", "/"],
      ]) {
        const label = `${who} ${method} ${path}`;
        const before = await health.baseline();
        const res = await fetch(iso.restUrl + path, {
          method,
          headers: { authorization: `Bearer ${tokenOf(who)}` },
          body: method === "PUT" ? JSON.stringify(["SET", "k", "1"]) : undefined,
        });
        expect(res.status, label).toBe(405);
        await res.arrayBuffer();
        expect(await health.direct.get("k"), label).toBe("before");
        await health.expectHealthy(before, label);
      }
    }
  });

  it("refuses non-ASCII names as unknown commands, and path routes as unknown routes", async () => {
    const res = await rawCommand(iso.restUrl, iso.restToken, ["\u017fet", "k", "1"]);
    expect(res).toMatchObject({
      status: 400,
      body: { error: expect.stringMatching(/^ERR unknown command '\\u017fet'/) },
    });
    for (const path of ["/%C5%BFet/k/1", "/%C5%BFelect/5", "/s%C4%B1nter/k"]) {
      const viaPath = await rawRequest(iso.restUrl, path, { token: iso.restToken });
      expect(viaPath.status, path).toBe(404);
    }
    const bytes = await rawRequest(iso.restUrl, "/", {
      token: iso.restToken,
      method: "POST",
      body: '["\\u0053ET","k","1"]',
    });
    // \u0053 is an ASCII "S": JSON escapes of ASCII are ordinary names.
    expect(bytes.body).toEqual({ result: "OK" });
    await health.direct.set("k", "before");
  });

  it("tells apart XREAD's BLOCK option from a key or group named like it", async () => {
    const asKey = await rawCommand(iso.restUrl, iso.restToken, ["XREAD", "COUNT", "1", "STREAMS", "block", "0"]);
    expect(asKey.body).toEqual({ result: null });
    const groupNamedStreams = await rawCommand(iso.restUrl, iso.restToken, [
      "XREADGROUP",
      "GROUP",
      "streams",
      "c",
      "COUNT",
      "1",
      "STREAMS",
      "xs",
      ">",
    ]);
    expect(groupNamedStreams.status).toBe(200);
    expect(groupNamedStreams.body.result[0][0]).toBe("xs");
  });
});
