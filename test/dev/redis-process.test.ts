// The redis-server that `dev` (and the test suite) starts: loopback only, in
// memory, and behind a random password that never appears on its command line.
import fs from "node:fs";
import { Redis as IORedis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRedisServer, type RedisServerHandle } from "../../src/dev/redis-process.js";

let server: RedisServerHandle;

beforeAll(async () => {
  server = await startRedisServer();
});
afterAll(async () => {
  await server?.stop();
});

describe("startRedisServer", () => {
  it("requires a random password, carried by its URL", async () => {
    expect(server.password).toMatch(/^[0-9a-f]{48}$/);
    expect(server.url).toBe(`redis://:${server.password}@127.0.0.1:${server.port}`);
    const anonymous = new IORedis({
      host: "127.0.0.1",
      port: server.port,
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      enableReadyCheck: false,
    });
    anonymous.on("error", () => {});
    await anonymous.connect();
    await expect(anonymous.get("k")).rejects.toThrow(/NOAUTH/);
    anonymous.disconnect();

    const admin = new IORedis(server.url);
    try {
      expect(await admin.ping()).toBe("PONG");
      expect(await admin.config("GET", "bind")).toEqual(["bind", "127.0.0.1"]);
      expect(await admin.config("GET", "save")).toEqual(["save", ""]);
      expect(await admin.config("GET", "appendonly")).toEqual(["appendonly", "no"]);
    } finally {
      admin.disconnect();
    }
  });

  it("keeps the password off every process's command line", async () => {
    if (!fs.existsSync("/proc/self/cmdline")) return;
    const leaks: string[] = [];
    for (const pid of fs.readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
      let cmdline = "";
      try {
        cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8");
      } catch {
        continue; // gone, or not ours to read
      }
      if (cmdline.includes(server.password)) leaks.push(pid);
    }
    expect(leaks).toEqual([]);
  });

  it("has one database: no command, at any depth, reaches another", async () => {
    const admin = new IORedis(server.url);
    try {
      expect(await admin.config("GET", "databases")).toEqual(["databases", "1"]);
      await admin.set("victim", "v");
      await expect(admin.eval("return redis.call('COPY',KEYS[1],'hidden','DB','9')", 1, "victim")).rejects.toThrow(
        /DB index is out of range/,
      );
    } finally {
      admin.disconnect();
    }
  });

  it("gives every server a password of its own", async () => {
    const other = await startRedisServer();
    try {
      expect(other.password).not.toBe(server.password);
    } finally {
      await other.stop();
    }
  });
});
