// When Redis goes away the endpoint answers 503 with a JSON error, quickly,
// and keeps serving everything that does not need Redis.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rawCommand, rawRequest, startIsolatedStack, type IsolatedStack } from "../harness/stack.js";

let iso: IsolatedStack;

beforeAll(async () => {
  iso = await startIsolatedStack();
});
afterAll(async () => {
  await iso?.close();
});

describe("losing Redis", () => {
  it("answers 503 for commands, pipelines and transactions, and stays up", async () => {
    expect((await rawCommand(iso.restUrl, iso.restToken, ["SET", "k", "v"])).body).toEqual({ result: "OK" });
    await iso.stopRedis();

    const started = Date.now();
    const single = await rawCommand(iso.restUrl, iso.restToken, ["GET", "k"]);
    expect(single.status).toBe(503);
    expect(single.body.error).toMatch(/redis is unavailable/);
    const pipe = await rawRequest(iso.restUrl, "/pipeline", { token: iso.restToken, body: [["GET", "k"], ["PING"]] });
    expect(pipe.status).toBe(503);
    const tx = await rawRequest(iso.restUrl, "/multi-exec", { token: iso.restToken, body: [["INCR", "n"]] });
    expect(tx.status).toBe(503);
    const path = await rawRequest(iso.restUrl, "/get/k", { token: iso.restToken });
    expect(path.status).toBe(503);
    expect(Date.now() - started).toBeLessThan(15_000);

    expect((await rawCommand(iso.restUrl, null, ["PING"])).status).toBe(401);
    expect((await rawRequest(iso.restUrl, "/", { token: iso.restToken, body: "{oops", method: "POST" })).status).toBe(
      400,
    );
  });
});
