// Upstash commands the Redis behind the endpoint lacks (the local redis-server
// is 7.0) are refused for what they are, an Upstash command this Redis does not
// have, naming the Redis version that has it, not as commands Upstash lacks.
import { Redis as IORedis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rawCommand, rawRequest, stack } from "../harness/stack.js";

let version: string;
let redis: IORedis;

beforeAll(async () => {
  redis = new IORedis(stack().redisUrl);
  version = /redis_version:(\S+)/.exec(await redis.info("server"))![1];
});
afterAll(() => redis?.disconnect());

describe("Upstash commands this Redis lacks", () => {
  it("names this Redis' version and the one that has the command", async () => {
    const { restUrl, restToken } = stack();
    const cases: Array<[string[], string]> = [
      [["HEXPIRE", "h", "10", "FIELDS", "1", "f"], "Redis 7.4 and newer have it"],
      [["HGETEX", "h", "FIELDS", "1", "f"], "Redis 8.0 and newer have it"],
      [["JSON.GET", "doc", "$"], "Redis 8.0 and newer have it (JSON is built in), as does Redis Stack"],
      [["SEARCH.QUERY", "idx", "*"], "it is Upstash's own search, which no Redis server has"],
    ];
    for (const [cmd, where] of cases) {
      // Only a Redis that lacks the command is worth asking.
      if ((await redis.call("COMMAND", "INFO", cmd[0].toLowerCase()).then((r) => (r as unknown[])[0])) !== null)
        continue;
      const r = await rawCommand(restUrl, restToken, cmd);
      expect(r.status, cmd[0]).toBe(400);
      expect(r.body.error, cmd[0]).toBe(
        `ERR '${cmd[0].toLowerCase()}' is an Upstash command the Redis behind this endpoint (Redis ${version}) does not have: ${where}; point dev --redis at one`,
      );
      expect(r.body.error).not.toMatch(/not one of the commands Upstash/);
    }
    // Path-style too: a 400 that says so, not a 404 for an unknown route.
    const path = await rawRequest(restUrl, "/hexpire/h/10/FIELDS/1/f", { token: restToken });
    if (version.startsWith("7.0")) expect(path.status).toBe(400);
  });

  it("still calls a command Upstash does not have by its name", async () => {
    const { restUrl, restToken } = stack();
    const r = await rawCommand(restUrl, restToken, ["NOSUCHCOMMAND"]);
    expect(r.body.error).toMatch(/not one of the commands Upstash's REST API supports/);
  });
});
