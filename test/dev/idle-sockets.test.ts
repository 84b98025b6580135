// Many idle sockets do not lock real clients out: under `ulimit -n 1024`,
// 1,100 sockets that send half a request and wait would use up the process's
// file descriptors; the endpoint caps its connections and closes idle ones
// first, so an authenticated request is answered at once, and dev's memory
// stays small.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { BIN, baseEnv, tempConfigDir } from "../harness/cli.js";
import { rawCommand } from "../harness/stack.js";

const TOKEN = "idle-sockets-token-0123456789";
let dev: ChildProcess | undefined;
const sockets: net.Socket[] = [];

afterAll(() => {
  for (const s of sockets) s.destroy();
  dev?.kill("SIGKILL");
});

function peakMb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(m![1]) / 1024;
}

describe.skipIf(process.platform !== "linux")("idle sockets", () => {
  it("1,100 half-sent requests under ulimit -n 1024 do not keep an authenticated request waiting", async () => {
    dev = spawn(
      "/bin/sh",
      ["-c", 'ulimit -n 1024 && exec "$0" "$@"', process.execPath, BIN, "dev", "--port", "0", "--json", "--no-save"],
      { env: { ...baseEnv(tempConfigDir()), UPSTASH_MEMORY_DEV_TOKEN: TOKEN }, stdio: ["ignore", "pipe", "pipe"] },
    );
    const line = await new Promise<string>((resolve, reject) => {
      let out = "";
      dev!.stdout!.on("data", (d) => {
        out += d;
        if (out.includes("\n")) resolve(out.slice(0, out.indexOf("\n")));
      });
      dev!.once("exit", () => reject(new Error("dev exited")));
    });
    const { url } = JSON.parse(line) as { url: string };
    const port = Number(new URL(url).port);

    await Promise.all(
      Array.from(
        { length: 1_100 },
        () =>
          new Promise<void>((resolve) => {
            const s = net.connect({ host: "127.0.0.1", port }, () => {
              s.write(`POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Le`);
              resolve();
            });
            s.on("error", () => resolve());
            s.on("close", () => resolve());
            sockets.push(s);
          }),
      ),
    );
    for (let i = 0; i < 3; i++) {
      const start = performance.now();
      const r = await rawCommand(url, TOKEN, ["PING"]);
      expect(r.body).toEqual({ result: "PONG" });
      expect(performance.now() - start, "an authenticated request amid idle sockets").toBeLessThan(2_000);
    }
    expect(peakMb(dev.pid!), "dev's peak memory (MB)").toBeLessThan(400);
  });
});
