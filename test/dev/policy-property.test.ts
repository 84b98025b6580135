// Property: no spelling of a command name gets past the endpoint's policy.
// Names are built from every code point whose toUpperCase() or toLowerCase()
// lands in ASCII (ſ, ı, K, ﬂ, ...) mixed with ASCII letters in both cases,
// either spelling a real command (SET, SELECT, SHUTDOWN, ...) or at random, with
// random arguments, over every route. With the read-only token the store never
// changes; with the full token every connection the endpoint holds stays an
// ordinary db-0 connection and the endpoint keeps answering. Bounded in runs
// and in time.
import { createHash } from "node:crypto";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rawCommand, rawRequest, startIsolatedStack, type IsolatedStack, type RawResponse } from "../harness/stack.js";
import { HealthCheck } from "./health.js";

const ASCII_ONLY = /^[\x00-\x7f]+$/;

/** Every code point outside ASCII that one of JavaScript's case mappings turns into ASCII. */
const LOOKALIKES: string[] = [];
for (let cp = 0x80; cp <= 0x10ffff; cp++) {
  if (cp >= 0xd800 && cp <= 0xdfff) continue;
  const c = String.fromCodePoint(cp);
  if (ASCII_ONLY.test(c.toUpperCase()) || ASCII_ONLY.test(c.toLowerCase())) LOOKALIKES.push(c);
}

const LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_".split("");

/** Commands worth spelling: writes, blocking and state-changing commands, administration, reads. */
const TARGETS = [
  "SET",
  "INCR",
  "DEL",
  "LPUSH",
  "SETRANGE",
  "EXPIRE",
  "RESTORE",
  "COPY",
  "FLUSHALL",
  "FLUSHDB",
  "SWAPDB",
  "MOVE",
  "CONFIG",
  "SCRIPT",
  "EVAL",
  "EVALSHA",
  "FCALL",
  "FUNCTION",
  "PUBLISH",
  "SUBSCRIBE",
  "PSUBSCRIBE",
  "SHUTDOWN",
  "QUIT",
  "RESET",
  "MONITOR",
  "BRPOPLPUSH",
  "BLPOP",
  "BZPOPMIN",
  "WAIT",
  "XREAD",
  "XREADGROUP",
  "SELECT",
  "MULTI",
  "EXEC",
  "WATCH",
  "CLIENT",
  "HELLO",
  "AUTH",
  "DEBUG",
  "KEYS",
  "SCAN",
  "GET",
  "LRANGE",
  "PING",
  "SORT",
];

/** The ways to write the start of `rest`: the ASCII letter in either case, or a look-alike of one or more letters. */
function spellingsOf(rest: string): Array<{ text: string; length: number }> {
  const options = [
    { text: rest[0].toUpperCase(), length: 1 },
    { text: rest[0].toLowerCase(), length: 1 },
  ];
  for (const c of LOOKALIKES) {
    for (const mapped of [c.toUpperCase(), c.toLowerCase()]) {
      if (ASCII_ONLY.test(mapped) && rest.toUpperCase().startsWith(mapped.toUpperCase())) {
        options.push({ text: c, length: mapped.length });
        break;
      }
    }
  }
  return options;
}

const SPELLINGS = new Map<string, Array<{ text: string; length: number }>>();
function cachedSpellings(rest: string) {
  // Keyed by the rest of the name: a look-alike may stand for several letters (ﬄ → FFL).
  let options = SPELLINGS.get(rest);
  if (!options) SPELLINGS.set(rest, (options = spellingsOf(rest)));
  return options;
}

/** A spelling of a real command, each position picked by `choices`. */
function spell(target: string, choices: number[]): string {
  let out = "";
  let i = 0;
  let k = 0;
  while (i < target.length) {
    const options = cachedSpellings(target.slice(i));
    const pick = options[choices[k++ % choices.length] % options.length];
    out += pick.text;
    i += pick.length;
  }
  return out;
}

const spelledName = fc
  .tuple(fc.constantFrom(...TARGETS), fc.array(fc.nat(), { minLength: 1, maxLength: 12 }))
  .map(([target, choices]) => spell(target, choices));
const randomName = fc
  .array(fc.constantFrom(...LOOKALIKES, ...LETTERS), { minLength: 1, maxLength: 10 })
  .map((cs) => cs.join(""));
const name = fc.oneof({ weight: 4, arbitrary: spelledName }, { weight: 1, arbitrary: randomName });

const ARG_POOL = [
  "k",
  "n",
  "l",
  "h",
  "xs",
  "0",
  "1",
  "5",
  "-1",
  "*",
  "NOSAVE",
  "BLOCK",
  "STREAMS",
  "GROUP",
  "SET",
  "FLUSH",
  "KILL",
  "DB",
  "REPLACE",
  "maxmemory",
  ">",
  "$",
];
const arg = fc.oneof(fc.constantFrom(...ARG_POOL), fc.string({ maxLength: 6 }));
const command = fc.tuple(name, fc.array(arg, { maxLength: 4 })).map(([n, args]) => [n, ...args]);
const request = fc.record({
  route: fc.constantFrom("/", "/pipeline", "/multi-exec", "path"),
  commands: fc.array(command, { minLength: 1, maxLength: 3 }),
});

function send(iso: IsolatedStack, token: string, req: { route: string; commands: string[][] }): Promise<RawResponse> {
  const [first] = req.commands;
  if (req.route === "/") return rawCommand(iso.restUrl, token, first);
  if (req.route === "path") return rawRequest(iso.restUrl, `/${first.map(encodeURIComponent).join("/")}`, { token });
  return rawRequest(iso.restUrl, req.route, { token, body: req.commands });
}

/** Runs and time are bounded: the property stops at whichever limit comes first. */
const LIMITS = { numRuns: 250, interruptAfterTimeLimit: 45_000, markInterruptAsFailure: false };
/** Fewer cases than this in the time allowed means the property tested too little to pass. */
const MIN_RUNS = 40;

/**
 * Checks the property within LIMITS, says how many cases ran, and fails when the
 * time limit stopped it before MIN_RUNS cases (a silent early stop is not a pass).
 */
async function assertBounded<Ts extends [unknown]>(property: fc.IAsyncProperty<Ts>, label: string): Promise<void> {
  const details = await fc.check(property, LIMITS);
  console.info(`${label}: ${details.numRuns} cases ran${details.interrupted ? " (stopped by the time limit)" : ""}`);
  if (details.failed) throw new Error(fc.defaultReportMessage(details) ?? "property failed");
  expect(
    details.numRuns,
    `only ${details.numRuns} cases ran in ${LIMITS.interruptAfterTimeLimit / 1000} s`,
  ).toBeGreaterThanOrEqual(MIN_RUNS);
}

let iso: IsolatedStack;
let health: HealthCheck;

beforeAll(async () => {
  iso = await startIsolatedStack();
  health = await HealthCheck.open(iso);
  const d = health.direct;
  await d.set("k", "value");
  await d.set("n", "41");
  await d.rpush("l", "a", "b", "c");
  await d.hset("h", "f", "v");
  await d.xadd("xs", "1-1", "f", "v");
  await d.xgroup("CREATE", "xs", "GROUP", "0");
});
afterAll(async () => {
  health?.close();
  await iso?.close();
});

/** Every key with its type, value (DUMP) and TTL, and Redis' count of changes since start-up. */
async function digest(): Promise<string> {
  const d = health.direct;
  const hash = createHash("sha256");
  const keys = (await d.keys("*")).sort();
  for (const key of keys) {
    hash.update(`${key}\0${await d.type(key)}\0${await d.pttl(key)}\0`);
    hash.update((await d.dumpBuffer(key)) ?? Buffer.alloc(0));
  }
  const info = await d.info("persistence");
  hash.update(/rdb_changes_since_last_save:(\d+)/.exec(info)?.[1] ?? "?");
  return hash.digest("hex");
}

describe("no spelling gets past the policy", () => {
  it("read-only token: the store's content never changes", async () => {
    const initial = await digest();
    await assertBounded(
      fc.asyncProperty(request, async (req) => {
        // Compared with the state just before, so a counterexample shrinks to the request that wrote.
        const before = await digest();
        const res = await send(iso, iso.readonlyToken, req);
        expect(res.status).toBeLessThan(500);
        expect(await digest()).toBe(before);
      }),
      "read-only token",
    );
    expect(await digest()).toBe(initial);
    expect((await rawCommand(iso.restUrl, iso.restToken, ["PING"])).body).toEqual({ result: "PONG" });
  });

  it("full token: every connection stays on db 0, outside MULTI and subscriptions, and the endpoint answers", async () => {
    await assertBounded(
      fc.asyncProperty(request, async (req) => {
        const res = await send(iso, iso.restToken, req);
        expect(res.status).toBeLessThan(500);
        expect((await rawCommand(iso.restUrl, iso.restToken, ["PING"])).body).toEqual({ result: "PONG" });
        await health.expectConnectionsPristine(JSON.stringify(req));
      }),
      "full token",
    );
    await health.expectWritesLandInDb0("after the property run");
  });
});
