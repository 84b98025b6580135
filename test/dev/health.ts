// What "the endpoint survived a hostile request" means, checked from outside:
// redis-server and the endpoint still answer PING, nothing changed the database
// or the server's configuration, every connection the endpoint holds is still
// an ordinary db-0 connection, and a full-token write from another client lands
// in db 0, through every route.
import { randomBytes } from "node:crypto";
import { Redis as IORedis } from "ioredis";
import { expect } from "vitest";
import { CLIENT_NAME } from "../../src/dev/connections.js";
import { rawCommand, rawRequest, type IsolatedStack } from "../harness/stack.js";

export interface Baseline {
  dbsize: number;
  config: string;
}

export class HealthCheck {
  private constructor(
    private readonly iso: IsolatedStack,
    /** An admin connection of the test's own, on db 0. */
    readonly direct: IORedis,
  ) {}

  static async open(iso: IsolatedStack): Promise<HealthCheck> {
    const direct = new IORedis(iso.redisUrl, { db: 0, lazyConnect: true });
    await direct.connect();
    return new HealthCheck(iso, direct);
  }

  close(): void {
    this.direct.disconnect();
  }

  async baseline(): Promise<Baseline> {
    const config = (await this.direct.call("CONFIG", "GET", "*")) as string[];
    const pairs: string[] = [];
    for (let i = 0; i < config.length; i += 2) pairs.push(`${config[i]}=${config[i + 1]}`);
    return { dbsize: await this.direct.dbsize(), config: pairs.sort().join("\n") };
  }

  /** Every check above; `label` names the request that came before. */
  async expectHealthy(before: Baseline, label: string): Promise<void> {
    expect(await this.direct.ping(), `${label}: redis-server answers`).toBe("PONG");
    for (const token of [this.iso.restToken, this.iso.readonlyToken]) {
      const ping = await rawCommand(this.iso.restUrl, token, ["PING"]);
      expect(ping.body, `${label}: the endpoint answers`).toEqual({ result: "PONG" });
    }
    const after = await this.baseline();
    expect(after.dbsize, `${label}: DBSIZE`).toBe(before.dbsize);
    expect(after.config, `${label}: CONFIG`).toBe(before.config);
    await this.expectConnectionsPristine(label);
    await this.expectWritesLandInDb0(label);
  }

  /** Each of the endpoint's connections: db 0, no MULTI, no subscription, not a monitor, not blocked. */
  async expectConnectionsPristine(label: string): Promise<void> {
    const list = String(await this.direct.call("CLIENT", "LIST"));
    const mine = list
      .split("\n")
      .filter((line) => line.includes(` name=${CLIENT_NAME} `))
      .map((line) =>
        Object.fromEntries(
          line
            .trim()
            .split(" ")
            .map((kv) => kv.split("=", 2)),
        ),
      );
    expect(mine.length, `${label}: the endpoint's connections are listed`).toBeGreaterThan(0);
    for (const c of mine) {
      expect({ db: c.db, sub: c.sub, psub: c.psub, multi: c.multi }, `${label}: connection ${c.id}`).toEqual({
        db: "0",
        sub: "0",
        psub: "0",
        multi: "-1",
      });
      // b: blocked, P: subscriber, O: monitor, x: in MULTI.
      expect(c.flags, `${label}: connection ${c.id} flags`).not.toMatch(/[bPOx]/);
    }
  }

  /** A SET with the full token, alone, in a pipeline and in transactions (several, to use pooled connections). */
  async expectWritesLandInDb0(label: string): Promise<void> {
    const key = `health:${randomBytes(6).toString("hex")}`;
    const { restUrl, restToken } = this.iso;
    const single = await rawCommand(restUrl, restToken, ["SET", `${key}:single`, "1"]);
    expect(single.body, `${label}: SET`).toEqual({ result: "OK" });
    const pipe = await rawRequest(restUrl, "/pipeline", { token: restToken, body: [["SET", `${key}:pipe`, "1"]] });
    expect(pipe.body, `${label}: SET in a pipeline`).toEqual([{ result: "OK" }]);
    const txs = await Promise.all(
      Array.from({ length: 4 }, (_, i) =>
        rawRequest(restUrl, "/multi-exec", { token: restToken, body: [["SET", `${key}:tx${i}`, "1"]] }),
      ),
    );
    for (const tx of txs) expect(tx.body, `${label}: SET in a transaction`).toEqual([{ result: "OK" }]);
    const keys = [`${key}:single`, `${key}:pipe`, ...txs.map((_, i) => `${key}:tx${i}`)];
    expect(await this.direct.exists(...keys), `${label}: the writes are in db 0`).toBe(keys.length);
    await this.direct.del(...keys);
  }
}
