// What the policy refuses to a token directly, Redis refuses to that token at
// every depth: on dev's own redis-server each token's requests log in as a
// Redis user allowed exactly the commands the policy allows it, so a script
// (EVAL_RO, FCALL_RO, EVAL) cannot reach KEYS, SCAN, SLOWLOG, MEMORY PURGE,
// PFSELFTEST, a write, or another database.
import { Redis as IORedis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRedisServer, type RedisServerHandle } from "../../src/dev/redis-process.js";
import { startEndpoint, type Endpoint } from "../../src/dev/server.js";
import { rawCommand } from "../harness/stack.js";

const TOKEN = "scripts-acl-token-0123456789";
const READONLY = "scripts-acl-readonly-0123456789";

let redis: RedisServerHandle;
let endpoint: Endpoint;
let direct: IORedis;

beforeAll(async () => {
  redis = await startRedisServer();
  direct = new IORedis(redis.url);
  endpoint = await startEndpoint({ redisUrl: redis.url, token: TOKEN, readonlyToken: READONLY, ownRedis: true });
  await direct.set("victim", "v");
  await direct.call("SLOWLOG", "RESET");
  await direct.config("SET", "slowlog-log-slower-than", "0");
  await direct.get("victim"); // one slow log entry, which SLOWLOG RESET would drop
});
afterAll(async () => {
  await endpoint?.close();
  direct?.disconnect();
  await redis?.stop();
});

const LIBRARY = `#!lua name=acltest
redis.register_function{function_name='ro_call', flags={'no-writes'}, callback=function(keys, args) return redis.call(unpack(args)) end}
redis.register_function{function_name='rw_call', callback=function(keys, args) return redis.call(unpack(args)) end}`;

/** Commands a read-only token may not run directly, each as a script would call it. */
const REFUSED_TO_READONLY = [
  ["KEYS", "*"],
  ["SCAN", "0"],
  ["SLOWLOG", "GET"],
  ["SLOWLOG", "RESET"],
  ["MEMORY", "PURGE"],
  ["PFSELFTEST"],
  ["SET", "victim", "changed"],
  ["DEL", "victim"],
];

function luaCall(args: string[]): string {
  return `return redis.call(${args.map((a) => `'${a}'`).join(",")})`;
}

describe("the read-only token inside scripts", () => {
  it("gets NOPERM from Redis for what the policy refuses it, through EVAL_RO and FCALL_RO", async () => {
    expect((await rawCommand(endpoint.url, TOKEN, ["FUNCTION", "LOAD", "REPLACE", LIBRARY])).body).toEqual({
      result: "acltest",
    });
    for (const args of REFUSED_TO_READONLY) {
      const label = args.join(" ");
      const direct_ = await rawCommand(endpoint.url, READONLY, args);
      expect(direct_.status, `${label} directly`).toBe(400);
      for (const cmd of [
        ["EVAL_RO", luaCall(args), "0"],
        ["FCALL_RO", "ro_call", "0", ...args],
      ]) {
        const r = await rawCommand(endpoint.url, READONLY, cmd);
        expect(r.status, `${cmd[0]} ${label}`).toBe(400);
        expect(r.body.error, `${cmd[0]} ${label}`).toMatch(
          /user executing the script can't run this command|NOPERM|Write commands are not allowed/i,
        );
      }
    }
    expect(await direct.get("victim")).toBe("v");
    expect(await direct.call("SLOWLOG", "LEN")).toBeGreaterThan(0);
  });

  it("still runs reads inside scripts", async () => {
    expect((await rawCommand(endpoint.url, READONLY, ["EVAL_RO", luaCall(["GET", "victim"]), "0"])).body).toEqual({
      result: "v",
    });
    expect((await rawCommand(endpoint.url, READONLY, ["FCALL_RO", "ro_call", "0", "STRLEN", "victim"])).body).toEqual({
      result: 1,
    });
  });
});

describe("the full token inside scripts", () => {
  it("cannot reach what the policy refuses to everybody", async () => {
    for (const args of [
      ["SELECT", "1"],
      ["CONFIG", "SET", "maxmemory", "1"],
      ["SHUTDOWN", "NOSAVE"],
      ["DEBUG", "SLEEP", "0"],
      ["ACL", "WHOAMI"],
    ]) {
      const r = await rawCommand(endpoint.url, TOKEN, ["EVAL", luaCall(args), "0"]);
      expect(r.status, args.join(" ")).toBe(400);
      expect(r.body.error, args.join(" ")).toMatch(
        /user executing the script can't run this command|NOPERM|not allowed from script/i,
      );
    }
    const copy = await rawCommand(endpoint.url, TOKEN, [
      "EVAL",
      "return redis.call('COPY',KEYS[1],'hidden','DB','9')",
      "1",
      "victim",
    ]);
    expect(copy.status).toBe(400);
    expect(await direct.config("GET", "maxmemory")).toEqual(["maxmemory", "0"]);
    expect(await direct.ping()).toBe("PONG");
  });

  it("still writes through scripts", async () => {
    expect((await rawCommand(endpoint.url, TOKEN, ["EVAL", luaCall(["SET", "written", "1"]), "0"])).body).toEqual({
      result: "OK",
    });
    expect((await rawCommand(endpoint.url, TOKEN, ["FCALL", "rw_call", "0", "INCR", "written"])).body).toEqual({
      result: 2,
    });
  });
});
