// Nothing a client does takes the endpoint down or holds it: slow or silent
// clients are cut off (408), a script that never ends is killed, a client that
// goes away mid-request costs nothing, and a command the policy did not issue
// is never sent, and a Redis that stops answering costs a 503, not a hang.
// Short limits here, on a stack of the test's own; the defaults are 30 s for
// requests and replies, and 5 s for scripts.
import net from "node:net";
import { Redis } from "@upstash/redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CommandTable } from "../../src/dev/command-table.js";
import { ConnectionPool, openConnection } from "../../src/dev/connections.js";
import { Executor } from "../../src/dev/executor.js";
import { CommandPolicy, type VettedCommand } from "../../src/dev/policy.js";
import { ScriptWatchdog } from "../../src/dev/script-watchdog.js";
import { startEndpoint, type Endpoint } from "../../src/dev/server.js";
import { rawCommand, rawRequest, startIsolatedStack, type IsolatedStack } from "../harness/stack.js";
import { HealthCheck } from "./health.js";

const TOKEN = "robustness-token-0123456789";
const READONLY = "robustness-readonly-0123456789";

let iso: IsolatedStack;
let endpoint: Endpoint;
let health: HealthCheck;

beforeAll(async () => {
  iso = await startIsolatedStack();
  health = await HealthCheck.open(iso);
  // Redis answers other clients BUSY (and accepts SCRIPT KILL) after this long.
  await health.direct.config("SET", "busy-reply-threshold", "100");
  endpoint = await startEndpoint({
    redisUrl: iso.redisUrl,
    token: TOKEN,
    readonlyToken: READONLY,
    requestTimeoutMs: 1_000,
    scriptTimeoutMs: 300,
    replyTimeoutMs: 1_000,
  });
});
afterAll(async () => {
  await endpoint?.close();
  health?.close();
  await iso?.close();
});

/** Writes `chunks` to a raw connection and returns everything the endpoint sent before closing it. */
function rawExchange(chunks: string[]): Promise<string> {
  const { port } = new URL(endpoint.url);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: "127.0.0.1", port: Number(port) });
    let text = "";
    socket.setTimeout(10_000, () => socket.destroy(new Error("the endpoint kept the connection open")));
    socket.on("connect", () => {
      for (const c of chunks) socket.write(c);
    });
    socket.on("data", (d) => (text += d));
    socket.on("close", () => resolve(text));
    socket.on("error", reject);
  });
}

describe("slow and silent clients", () => {
  it("answers 408 and closes a connection whose headers or body do not arrive in time", async () => {
    const auth = `Authorization: Bearer ${TOKEN}\r\n`;
    for (const chunks of [
      [`POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n${auth}Content-Length: 100\r\n\r\n["SET","slow","1"`],
      ["POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n"],
      [],
    ]) {
      const response = await rawExchange(chunks);
      expect(response, JSON.stringify(chunks)).toMatch(/^HTTP\/1\.1 408 /);
      expect(response).toMatch(/\{"error":"ERR the request was not received in time"\}$/);
    }
    expect(await health.direct.exists("slow")).toBe(0);
    expect((await rawCommand(endpoint.url, TOKEN, ["PING"])).body).toEqual({ result: "PONG" });
  });

  it("keeps serving after clients that hang up mid-request", async () => {
    const { port } = new URL(endpoint.url);
    for (let i = 0; i < 20; i++) {
      await new Promise<void>((resolve) => {
        const socket = net.connect({ host: "127.0.0.1", port: Number(port) }, () => {
          socket.write(
            `POST /pipeline HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Length: 1000\r\n\r\n[["PING"]`,
          );
          socket.destroy();
          resolve();
        });
        socket.on("error", () => resolve());
      });
    }
    expect((await rawCommand(endpoint.url, TOKEN, ["PING"])).body).toEqual({ result: "PONG" });
  });
});

describe("scripts that never end", () => {
  it("kills a read-only script that loops, and Redis and the endpoint answer again", async () => {
    const before = await health.baseline();
    for (const [token, cmd] of [
      [READONLY, ["EVAL_RO", "while true do end", "0"]],
      [TOKEN, ["EVAL", "local n = 0 while true do n = n + 1 end", "0"]],
    ] as const) {
      const looping = rawCommand(endpoint.url, token, [...cmd]);
      const res = await looping;
      expect(res.status, cmd[0]).toBe(400);
      expect(res.body.error, cmd[0]).toMatch(/killed/i);
      expect(await health.direct.ping()).toBe("PONG");
      expect((await rawCommand(endpoint.url, TOKEN, ["PING"])).body).toEqual({ result: "PONG" });
    }
    expect((await health.baseline()).dbsize).toBe(before.dbsize);
  });
});

describe("a Redis that stops answering", () => {
  it("fails the requests waiting on it with 503, then serves again", async () => {
    // Every client of this redis-server is paused: commands wait, unanswered.
    await health.direct.call("CLIENT", "PAUSE", "3000", "ALL");
    try {
      // Without the reply timeout these would wait out the pause and answer 200.
      const [single, pipe, tx] = await Promise.all([
        rawCommand(endpoint.url, TOKEN, ["GET", "k"]),
        rawRequest(endpoint.url, "/pipeline", { token: TOKEN, body: [["GET", "k"]] }),
        rawRequest(endpoint.url, "/multi-exec", { token: TOKEN, body: [["INCR", "paused-n"]] }),
      ]);
      expect([single.status, pipe.status, tx.status]).toEqual([503, 503, 503]);
    } finally {
      await health.direct.call("CLIENT", "UNPAUSE");
    }
    expect((await rawCommand(endpoint.url, TOKEN, ["PING"])).body).toEqual({ result: "PONG" });
    await health.direct.del("paused-n");
  });
});

describe("the executor's own check", () => {
  it("sends nothing the policy did not issue, even when handed a forged command", async () => {
    const control = await openConnection(iso.redisUrl, false);
    const pool = new ConnectionPool(iso.redisUrl, { size: 1 });
    const table = await CommandTable.load((names) => control.callBuffer("COMMAND", "INFO", ...names));
    const executor = new Executor(pool, new ScriptWatchdog(control, 1_000));
    const policy = new CommandPolicy(table);
    try {
      const forged = [
        { argv: ["SELECT", "5"] },
        { argv: ["SET", "forged", "1"] },
        Object.freeze({ argv: Object.freeze(["SELECT", "5"]) }),
      ] as unknown as VettedCommand[];
      for (const cmd of forged) {
        await expect(executor.command(cmd)).rejects.toThrow(/policy did not allow/);
        await expect(executor.pipeline([cmd])).rejects.toThrow(/policy did not allow/);
        await expect(executor.transaction([cmd])).rejects.toThrow(/policy did not allow/);
      }
      expect(await health.direct.exists("forged")).toBe(0);
      const ok = policy.vet(["set", "vetted", "1"], "full") as VettedCommand;
      expect(ok.argv).toEqual(["SET", "vetted", "1"]);
      expect(Object.isFrozen(ok.argv)).toBe(true);
      expect(await executor.command(ok)).toEqual({ result: Buffer.from("OK") });
      await health.expectConnectionsPristine("after forged commands");
    } finally {
      pool.close();
      control.disconnect();
      await health.direct.del("vetted");
    }
  });
});

describe("COPY onto itself", () => {
  it("answers 0 as Upstash does (the official client's NOT_COPIED), alone, in pipelines and transactions", async () => {
    const redis = new Redis({ url: endpoint.url, token: TOKEN });
    await redis.set("copy-src", "v");
    expect(await redis.copy("copy-src", "copy-src")).toBe("NOT_COPIED");
    expect(await redis.copy("copy-src", "copy-dst")).toBe("COPIED");
    expect((await rawCommand(endpoint.url, TOKEN, ["COPY", "copy-src", "copy-src", "REPLACE"])).body).toEqual({
      result: 0,
    });
    const pipe = await rawRequest(endpoint.url, "/pipeline", {
      token: TOKEN,
      body: [
        ["COPY", "copy-src", "copy-src"],
        ["GET", "copy-dst"],
      ],
    });
    expect(pipe.body).toEqual([{ result: 0 }, { result: "v" }]);
    const tx = await rawRequest(endpoint.url, "/multi-exec", {
      token: TOKEN,
      body: [
        ["INCR", "copy-n"],
        ["COPY", "copy-src", "copy-src"],
        ["INCR", "copy-n"],
      ],
    });
    expect(tx.body).toEqual([{ result: 1 }, { result: 0 }, { result: 2 }]);
    // Options Redis would reject are still Redis' to reject.
    const bad = await rawCommand(endpoint.url, TOKEN, ["COPY", "copy-src", "copy-src", "NOSUCHOPTION"]);
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/syntax error/);
    await health.direct.del("copy-src", "copy-dst", "copy-n");
  });
});
