// doctor, end to end: each finding on real data in a real Redis, over REST
// through the local endpoint and (for keys and content) over redis:// too.
import { randomUUID } from "node:crypto";
import net from "node:net";
import stringWidth from "string-width";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Redis as IORedis } from "ioredis";
import {
  appOn,
  appRedis,
  cliOn,
  connectionEnv,
  delKeys,
  TRANSPORTS,
  writeConversation,
  type TransportName,
} from "../harness/transports.js";
import { MALFORMED, storedMessages } from "../harness/fixtures.js";
import { stack, startIsolatedStack, type IsolatedStack } from "../harness/stack.js";
import { runCli, tempConfigDir, type RunOptions, type RunResult } from "../harness/cli.js";
import { runInPty } from "../harness/pty.js";
import { startRedisServer } from "../../src/dev/redis-process.js";

interface Check {
  id: string;
  section: string;
  status: "pass" | "warn" | "fail" | "info";
  message: string;
  hint: string | null;
  elements?: { index: number; problem: string | null; readers: Record<string, string> }[];
}

let app: IORedis;
beforeAll(() => {
  app = appRedis();
});
afterAll(() => app.quit());

const ns = () => `d${randomUUID().slice(0, 8)}:`;
const human = (content: string) =>
  JSON.stringify({ type: "human", data: { content, additional_kwargs: {}, response_metadata: {} } });
const ai = (content: string) =>
  JSON.stringify({
    type: "ai",
    data: { content, tool_calls: [], invalid_tool_calls: [], additional_kwargs: {}, response_metadata: {} },
  });
/**
 * Tokens and passwords beyond the shared stack's (which the harness checks on
 * every run): wrong tokens, the isolated stacks' tokens, redis:// passwords.
 */
const secrets = new Set<string>();
const outputs: string[] = [];

async function run(args: string[], opts: RunOptions = {}): Promise<RunResult> {
  const r = await runCli(args, opts);
  outputs.push(r.stdout, r.stderr);
  return r;
}

function checksOf(r: RunResult): Check[] {
  return (JSON.parse(r.stdout) as { checks: Check[] }).checks;
}

function all(checks: Check[], id: string): Check[] {
  return checks.filter((c) => c.id === id);
}

function one(checks: Check[], id: string): Check {
  const found = all(checks, id);
  expect(found, `exactly one ${id} in ${JSON.stringify(checks, null, 1)}`).toHaveLength(1);
  return found[0];
}

/** A port nothing listens on: bound, then released. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** A token the store does not know, remembered for the secrets check. */
function fakeToken(): string {
  const token = `tok-${randomUUID()}`;
  secrets.add(token);
  return token;
}

function restEnv(url: string, token: string): Record<string, string> {
  secrets.add(token);
  return { UPSTASH_REDIS_REST_URL: url, UPSTASH_REDIS_REST_TOKEN: token };
}

describe("connection", () => {
  it("nothing configured: one failed check naming the three ways, exit 1 (not 4)", async () => {
    const r = await run(["doctor", "--json"]);
    expect(r.code).toBe(1);
    const checks = checksOf(r);
    expect(checks.filter((c) => c.status === "fail")).toHaveLength(1);
    const c = one(checks, "connection.configured");
    expect(c.status).toBe("fail");
    expect(c.hint).toContain("--url and --token");
    expect(c.hint).toContain("UPSTASH_REDIS_REST_URL");
    expect(c.hint).toContain("upstash-memory login");
    expect(one(checks, "key.memory-key").message).toContain("never a Redis key");
  });

  it("a wrong token is a failed check naming HTTP 401 and the Redis password mix-up; the token is never printed", async () => {
    const s = stack();
    const token = fakeToken();
    const json = await run(["doctor", "--json"], { env: restEnv(s.restUrl, token) });
    expect(json.code).toBe(1);
    const auth = one(checksOf(json), "connection.auth");
    expect(auth.status).toBe("fail");
    expect(auth.message).toContain("HTTP 401");
    expect(auth.message).toContain("UPSTASH_REDIS_REST_TOKEN");
    expect(auth.hint).toMatch(/Redis password .* is not a REST token/);
    const piped = await run(["doctor", "--token", token, "--url", s.restUrl]);
    expect(piped.code).toBe(1);
    expect(piped.stdout).toMatch(/^✗ connection\.auth {2}the store refused the token from --token \(HTTP 401/m);
    for (const out of [json.stdout, json.stderr, piped.stdout, piped.stderr]) expect(out).not.toContain(token);
  });

  it("the Redis password from REDIS_URL used as the REST token: flagged before sending, then refused with 401", async () => {
    const s = stack();
    const password = fakeToken();
    const r = await run(["doctor", "--json"], {
      env: { ...restEnv(s.restUrl, password), REDIS_URL: `rediss://default:${password}@eu1-example.upstash.io:6379` },
    });
    expect(r.code).toBe(1);
    const checks = checksOf(r);
    expect(one(checks, "connection.token-value")).toMatchObject({
      status: "warn",
      message: "the token in UPSTASH_REDIS_REST_TOKEN is the Redis password from REDIS_URL",
    });
    expect(one(checks, "connection.auth").status).toBe("fail");
  });

  it("a wrong or missing password in a redis:// URL is an auth failure, not a lost connection", async () => {
    const redis = await startRedisServer();
    const admin = new IORedis(redis.url);
    const password = `pw${randomUUID().replace(/-/g, "")}`;
    secrets.add(password);
    try {
      await admin.config("SET", "requirepass", password);
      const wrong = `wrong${randomUUID().replace(/-/g, "")}`;
      secrets.add(wrong);
      const url = (pw: string) => `redis://${pw ? `:${pw}@` : ""}127.0.0.1:${redis.port}`;
      const bad = one(checksOf(await run(["doctor", "--json", "--url", url(wrong)])), "connection.auth");
      expect(bad).toMatchObject({
        status: "fail",
        message: expect.stringContaining("WRONGPASS"),
        hint: expect.stringContaining("password in the redis:// URL"),
      });
      const none = one(checksOf(await run(["doctor", "--json", "--url", url("")])), "connection.auth");
      expect(none).toMatchObject({ status: "fail", message: expect.stringContaining("NOAUTH") });
      const good = await run(["doctor", "--json", "--url", url(password)]);
      expect(good.code).toBe(0);
      expect(one(checksOf(good), "connection.auth")).toMatchObject({
        status: "pass",
        message: "the password in the redis:// URL is accepted",
      });
    } finally {
      admin.disconnect();
      await redis.stop();
    }
  });

  it("the read-only token is reported as read-only, and still reads the session", async () => {
    const s = stack();
    const key = `ro-${randomUUID().slice(0, 8)}`;
    await writeConversation(app, key, [human("hello"), ai("hi")]);
    const r = await run(["doctor", key, "--json"], { env: restEnv(s.restUrl, s.readonlyToken) });
    const checks = checksOf(r);
    const access = one(checks, "connection.access");
    expect(access.status).toBe("warn");
    expect(access.message).toContain("read-only token: it can read histories but cannot SCAN or write");
    expect(one(checks, "key.session").status).toBe("pass");
    expect(r.code).toBe(0);
  });

  it("the standard token has read and write access, and the write probe leaves no key behind", async () => {
    const s = stack();
    const prefix = ns();
    const r = await run(["doctor", "--prefix", prefix, "--json"], { env: restEnv(s.restUrl, s.restToken) });
    expect(one(checksOf(r), "connection.access")).toMatchObject({
      status: "pass",
      message: expect.stringContaining("read and write"),
    });
    expect(await app.keys(`${prefix}*`)).toEqual([]);
  });

  it("an unreachable host is a failed check with the reason, exit 1, and the session is not checked", async () => {
    const port = await closedPort();
    const r = await run(["doctor", "s1", "--json", "--url", `http://127.0.0.1:${port}`, "--token", fakeToken()]);
    expect(r.code).toBe(1);
    const checks = checksOf(r);
    expect(one(checks, "connection.connect")).toMatchObject({
      status: "fail",
      message: `connection refused by 127.0.0.1:${port}`,
    });
    expect(one(checks, "key.session")).toMatchObject({
      status: "info",
      message: "session 's1' not checked: no working connection",
    });
    expect(all(checks, "connection.ping")).toEqual([]);
  });

  it("quotes around the URL and a line break after the token: both reported, the rest checked without them", async () => {
    const s = stack();
    const r = await run(["doctor", "--json"], { env: restEnv(`"${s.restUrl}"`, `${s.restToken}\n`) });
    expect(r.code).toBe(1);
    const checks = checksOf(r);
    expect(one(checks, "connection.url-value")).toMatchObject({
      status: "fail",
      message: expect.stringContaining("surrounding quotes"),
    });
    expect(one(checks, "connection.token-value")).toMatchObject({
      status: "fail",
      message: expect.stringContaining("whitespace (a line break)"),
    });
    expect(one(checks, "connection.ping").status).toBe("pass");
    expect(one(checks, "connection.auth").status).toBe("pass");
  });

  it("whitespace around the URL is reported", async () => {
    const s = stack();
    const r = await run(["doctor", "--json"], { env: restEnv(` ${s.restUrl}  `, s.restToken) });
    expect(r.code).toBe(1);
    expect(one(checksOf(r), "connection.url-value").message).toContain("surrounding whitespace");
  });

  it("a trailing path on the REST URL is reported with the URL to use", async () => {
    const s = stack();
    const r = await run(["doctor", "--json", "--url", `${s.restUrl}/v2/pipeline`, "--token", s.restToken]);
    expect(r.code).toBe(1);
    const checks = checksOf(r);
    const path = one(checks, "connection.url-path");
    expect(path.status).toBe("fail");
    expect(path.message).toContain("'/v2/pipeline'");
    expect(path.hint).toContain(s.restUrl);
    expect(one(checks, "connection.ping").status).toBe("pass");
  });

  it("plain http:// to another machine fails and the token is not sent", async () => {
    const started = Date.now();
    const r = await run(["doctor", "--json", "--url", "http://192.0.2.1", "--token", fakeToken(), "--timeout", "1s"]);
    expect(r.code).toBe(1);
    const checks = checksOf(r);
    expect(one(checks, "connection.url")).toMatchObject({
      status: "fail",
      message: expect.stringContaining("the token would travel unencrypted"),
    });
    // 192.0.2.1 (TEST-NET-1) never answers, or the network refuses it: either way a failed connect, within the timeout.
    expect(one(checks, "connection.connect").status).toBe("fail");
    expect(all(checks, "connection.auth")).toEqual([]);
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it("a redis:// URL in UPSTASH_REDIS_REST_URL works here but is flagged for LangChain's Upstash class", async () => {
    const r = await run(["doctor", "--json"], { env: { UPSTASH_REDIS_REST_URL: stack().redisUrl } });
    expect(r.code).toBe(0);
    const checks = checksOf(r);
    const kind = one(checks, "connection.url-kind");
    expect(kind.status).toBe("warn");
    expect(kind.message).toContain("fine for this tool");
    expect(kind.message).toContain("need the https:// REST URL");
    expect(one(checks, "connection.ping").status).toBe("pass");
  });

  it("an https:// URL in REDIS_URL is flagged: Redis clients need redis:// or rediss://", async () => {
    const s = stack();
    const r = await run(["doctor", "--json"], {
      env: { ...restEnv(s.restUrl, s.restToken), REDIS_URL: "https://eu1-example.upstash.io" },
    });
    const c = one(checksOf(r), "connection.redis-url-env");
    expect(c.status).toBe("warn");
    expect(c.message).toContain("need redis:// or rediss://");
    expect(r.code).toBe(0);
  });

  it("https:// to a server without TLS fails at the TLS step", async () => {
    const s = stack();
    const r = await run(["doctor", "--json", "--url", s.restUrl.replace(/^http:/, "https:"), "--token", s.restToken]);
    expect(r.code).toBe(1);
    const checks = checksOf(r);
    expect(one(checks, "connection.connect").status).toBe("pass");
    expect(one(checks, "connection.tls")).toMatchObject({
      status: "fail",
      message: expect.stringContaining("does not speak TLS"),
    });
  });

  it("Upstash over redis:// without TLS is refused before connecting; the password is never printed", async () => {
    const password = `pw${randomUUID().replace(/-/g, "")}`;
    secrets.add(password);
    const r = await run(["doctor", "--json", "--url", `redis://default:${password}@eu1-example-12345.upstash.io:6379`]);
    expect(r.code).toBe(1);
    const checks = checksOf(r);
    expect(one(checks, "connection.url-tls")).toMatchObject({
      status: "fail",
      message: expect.stringContaining("only TLS"),
    });
    expect(all(checks, "connection.url")).toEqual([]);
    expect(all(checks, "connection.dns")).toEqual([]);
    expect(r.stdout + r.stderr).not.toContain(password);
  });

  it("a host name without a scheme is not a URL; an unknown host fails at DNS", async () => {
    const token = fakeToken();
    const bare = await run(["doctor", "--json", "--url", "eu1-example.upstash.io", "--token", token]);
    expect(bare.code).toBe(1);
    expect(one(checksOf(bare), "connection.url")).toMatchObject({
      status: "fail",
      hint: expect.stringContaining("add the scheme"),
    });
    const dns = await run([
      "doctor",
      "--json",
      "--url",
      "https://no-such-db.invalid",
      "--token",
      token,
      "--timeout",
      "3s",
    ]);
    expect(dns.code).toBe(1);
    expect(one(checksOf(dns), "connection.dns")).toMatchObject({
      status: "fail",
      message: expect.stringContaining("cannot resolve no-such-db.invalid"),
    });
  });

  it("env overriding a saved profile is reported, with the profile settings it hides", async () => {
    const s = stack();
    const dir = tempConfigDir();
    expect((await run(["login", "--url", s.restUrl, "--token", s.restToken], { configDir: dir })).code).toBe(0);
    await run(["config", "set", "prefix", "message_store:"], { configDir: dir });
    await run(["config", "set", "ttl", "7d"], { configDir: dir });
    const r = await run(["doctor", "--json"], { configDir: dir, env: restEnv(s.restUrl, s.restToken) });
    const c = one(checksOf(r), "connection.shadowed");
    expect(c.status).toBe("warn");
    expect(c.message).toBe(
      "UPSTASH_REDIS_REST_URL overrides saved profile 'default', which points to the same database; its prefix 'message_store:' and ttl 7d are not applied",
    );
    expect(c.hint).toContain("--profile default");
    // Without the env, the profile is used and nothing is shadowed.
    const own = checksOf(await run(["doctor", "--json"], { configDir: dir }));
    expect(all(own, "connection.shadowed")).toEqual([]);
    expect(one(own, "connection.source").message).toContain(
      "profile 'default' applies (prefix 'message_store:', ttl 7d)",
    );
  });
});

describe("TTL against the profile's ttl", () => {
  it("no TTL where the profile expects one; a TTL about to run out; a healthy TTL", async () => {
    const s = stack();
    const dir = tempConfigDir();
    await run(["login", "--url", s.restUrl, "--token", s.restToken], { configDir: dir });
    await run(["config", "set", "ttl", "7d"], { configDir: dir });
    const id = `ttl-${randomUUID().slice(0, 8)}`;
    const conv = [human("hi"), ai("hello")];
    await writeConversation(app, `${id}-none`, conv);
    await writeConversation(app, `${id}-soon`, conv, 120);
    await writeConversation(app, `${id}-share`, conv, 3600); // under 10% of 7d
    await writeConversation(app, `${id}-ok`, conv, 7 * 86400);

    const none = await run(["doctor", `${id}-none`, "--json"], { configDir: dir });
    const noTtl = one(checksOf(none), "health.ttl");
    expect(noTtl).toMatchObject({
      status: "warn",
      message: "no TTL, but profile 'default' sets ttl 7d: this conversation never expires",
    });
    expect(noTtl.hint).toContain("before April 2024");
    expect(noTtl.hint).toContain(`upstash-memory expire ${id}-none 7d`);
    expect(none.code).toBe(0);

    const soon = one(checksOf(await run(["doctor", `${id}-soon`, "--json"], { configDir: dir })), "health.ttl");
    expect(soon.status).toBe("warn");
    expect(soon.message).toMatch(
      /^expires in (2m|1m \d+s|\d+s) unless an app with its own timeout stores a message first \(one without a timeout does not extend it\); profile 'default' sets ttl 7d$/,
    );
    expect(soon.hint).toBe(
      `an app with a Session Timeout (Flowise) or sessionTTL (LangChain) runs EXPIRE with its own value after every message it stores; one without never touches the TTL; reads never do: an idle conversation disappears whole. \`upstash-memory expire ${id}-soon 7d\` extends it and --persist keeps it, until such an app's next message sets its own value again`,
    );

    expect(one(checksOf(await run(["doctor", `${id}-share`, "--json"], { configDir: dir })), "health.ttl").status).toBe(
      "warn",
    );

    const ok = one(checksOf(await run(["doctor", `${id}-ok`, "--json"], { configDir: dir })), "health.ttl");
    expect(ok.status).toBe("pass");
    expect(ok.message).toMatch(
      /^expires in (7d|6d 23h[^:]*): a message stored by an app with its own timeout sets it back to that app's value, one stored by an app without leaves it counting down; reads never touch it; profile 'default' sets ttl 7d$/,
    );

    // Without a configured ttl, no TTL is a plain fact, and a short one still warns.
    const plain = checksOf(await run(["doctor", `${id}-none`, "--json"], { env: restEnv(s.restUrl, s.restToken) }));
    expect(one(plain, "health.ttl")).toMatchObject({
      status: "info",
      message:
        "no TTL: kept until deleted. The app that writes it has no Session Timeout / sessionTTL (one with it sets the TTL after every message it stores), or no message was stored since the TTL was removed; reading never sets one",
    });
    const short = checksOf(await run(["doctor", `${id}-soon`, "--json"], { env: restEnv(s.restUrl, s.restToken) }));
    expect(one(short, "health.ttl").status).toBe("warn");
    await app.del(`${id}-none`, `${id}-soon`, `${id}-share`, `${id}-ok`);
  });
});

describe.each(TRANSPORTS)("keys and content over %s", (transport) => {
  const cli = cliOn(transport);
  const app = appOn(transport);

  it("a healthy LangChain/Flowise session: all checks pass, exit 0, stable piped lines, --json shape, 3 requests", async () => {
    const prefix = ns();
    await writeConversation(
      app,
      `${prefix}trip`,
      storedMessages().map((f) => f.element),
      3600,
    );
    const r = await cli(["doctor", "trip", "--prefix", prefix, "--json", "--stats"]);
    expect(r.code).toBe(0);
    const checks = checksOf(r);
    for (const c of checks) {
      // Checks about particular elements list them.
      const fields = c.id === "content.flowise-chat-view" ? ["elements"] : [];
      expect(Object.keys(c).sort()).toEqual([...fields, "hint", "id", "message", "section", "status"]);
      expect(["pass", "warn", "fail", "info"]).toContain(c.status);
      expect(c.id.startsWith(`${c.section}.`)).toBe(true);
    }
    // The one warning: Flowise's chat view leaves out the tool, generic and function messages.
    expect(checks.filter((c) => c.status === "fail" || c.status === "warn").map((c) => c.id)).toEqual([
      ...(transport !== "rest" ? ["connection.url-kind"] : []),
      "content.flowise-chat-view",
    ]);
    expect(one(checks, "key.session").status).toBe("pass");
    expect(one(checks, "health.size").message).toMatch(/^11 messages, [\d.]+ kB stored$/);
    expect(one(checks, "content.invisible").message).toBe(
      "all 11 messages load in LangChain JS / Flowise (as LangChain messages, which Flowise's agents and chains read)",
    );
    expect(one(checks, "content.flowise-chat-view").message).toBe(
      "if Flowise reads this session, its chat view leaves out messages 6, 7 and 8 (tool, generic, function) without a word: getChatMessages converts messages for the chat UI and the API with convertBaseMessagetoIMessage, which keeps human, ai and system only; its agents and chains, which ask for LangChain messages, still read them",
    );
    expect(one(checks, "content.breaks-load")).toMatchObject({
      status: "pass",
      message: "no element breaks loading in LangChain JS / Flowise",
    });
    // A tool call and its results between two assistant messages are one turn.
    expect(one(checks, "content.alternation")).toMatchObject({ status: "pass" });
    expect(one(checks, "cost.commands").message).toMatch(
      /^5 Redis commands per chat turn: LRANGE to load, then LPUSH \+ EXPIRE/,
    );
    if (transport === "cluster") {
      // PING; the probe (its DBSIZE asks every master); the layout; the session read.
      expect(one(checks, "connection.cluster")).toMatchObject({
        status: "pass",
        message: expect.stringMatching(/^Redis Cluster: 3 masters .*16,384 of 16,384 slots served, cluster_state ok$/),
      });
      expect(one(checks, "key.node").message).toMatch(
        /^session 'trip' is in hash slot \d+, served by master 127\.0\.0\.1:\d+$/,
      );
      expect(r.stderr).toMatch(
        /stats: 6 round trips, 14 Redis commands \((127\.0\.0\.1:\d+: \d round trips?, \d+ commands?(; |\)))+$/m,
      );
    } else {
      // The probe reads the empty session id's key too (TYPE, LLEN).
      expect(r.stderr).toMatch(/stats: 3 (HTTP requests|round trips), 10 Redis commands/);
    }

    const piped = await cli(["doctor", "trip", "--prefix", prefix]);
    for (const line of piped.stdout.trimEnd().split("\n"))
      expect(line).toMatch(/^(?:[✓!✗i] [a-z]+\.[a-z0-9-]+ {2}\S.*| {4}hint: \S.*)$/);
    expect(piped.stdout).toMatch(/^✓ connection\.ping {2}PING \d+ ms$/m);
    expect(piped.stdout).not.toMatch(/\u001b/);
  });

  it("a missing session: the prefix and case near misses with their counts, and how Flowise picks the key", async () => {
    const id = `Near-${randomUUID().slice(0, 6)}`;
    await writeConversation(app, `message_store:${id}`, [human("a"), ai("b")]);
    await writeConversation(app, id.toLowerCase(), [human("c")]);
    const r = await cli(["doctor", id, "--json"]);
    // Not found, as every other command says it.
    expect(r.code).toBe(3);
    const checks = checksOf(r);
    const missing = one(checks, "key.session");
    expect(missing).toMatchObject({ status: "fail", message: `session '${id}' does not exist` });
    expect(missing.hint).toContain("an idle conversation expires whole (the key disappears, it is not emptied)");
    const misses = all(checks, "key.near-miss");
    expect(misses).toContainEqual(
      expect.objectContaining({
        status: "warn",
        message: `key 'message_store:${id}' holds 2 messages (prefix message_store:)`,
        hint: expect.stringContaining("--prefix message_store:"),
      }),
    );
    expect(misses).toContainEqual(
      expect.objectContaining({ status: "warn", message: `key '${id.toLowerCase()}' holds 1 message (other case)` }),
    );
    // As Flowise's server resolves it (getMemorySessionId): API/embed vs its own UI chat.
    expect(one(checks, "key.flowise-session-id").message).toBe(
      "Flowise picks the key: for API and embed predictions, overrideConfig.sessionId, else the request's chatId, else the memory node's Session Id, else a generated chatId; in Flowise's own UI chat the node's Session Id wins over the chatId",
    );
    // With the prefix the Python session is found: nothing missing any more.
    const found = await cli(["doctor", id, "--prefix", "message_store:", "--json"]);
    expect(one(checksOf(found), "key.session").status).toBe("pass");
    await delKeys(app, `message_store:${id}`, id.toLowerCase());
  });

  it("a key of another type collides with the app's data", async () => {
    const prefix = ns();
    await app.set(`${prefix}cfg`, "{}");
    const r = await cli(["doctor", "cfg", "--prefix", prefix, "--json"]);
    expect(r.code).toBe(1);
    const c = one(checksOf(r), "key.type");
    expect(c).toMatchObject({
      status: "fail",
      message: `key '${prefix}cfg' is a string, not a list: it collides with the app's other data`,
    });
    expect(c.hint).toContain("WRONGTYPE");
    expect(all(checksOf(r), "content.invisible")).toEqual([]);
  });

  it("every malformed element: its index and reason; what breaks loading fails, what is dropped warns", async () => {
    const prefix = ns();
    const bad = [
      ...MALFORMED.map((m) => ({ element: m.element as string | Buffer, problem: m.problem })),
      { element: '{"type":"human"}', problem: "missing data" },
      { element: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), problem: "not JSON" },
    ];
    // Oldest first: a good message, then one bad element per reason, then another good one.
    await writeConversation(app, `${prefix}bad`, [human("hello"), ...bad.map((b) => b.element), ai("world")]);
    const r = await cli(["doctor", "bad", "--prefix", prefix, "--json"]);
    expect(r.code).toBe(1);
    const checks = checksOf(r);
    const breaking = one(checks, "content.breaks-load");
    const invisible = one(checks, "content.invisible");
    expect(breaking.status).toBe("fail");
    expect(invisible.status).toBe("warn");
    const breaks = new Set(breaking.elements!.map((e) => e.index));
    const dropped = new Set(invisible.elements!.map((e) => e.index));
    // Every bad element is in exactly one of the two, and nothing else is.
    expect([...breaks, ...dropped].sort((a, b) => a - b)).toEqual(bad.map((_, i) => i + 2));
    bad.forEach((b, i) => {
      const index = i + 2;
      const c = all(checks, `content.${b.problem.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`).find((x) =>
        x.message.includes(`${index}`),
      );
      expect(c, `a check for message ${index} (${b.problem})`).toBeDefined();
      expect(c!.status).toBe(breaks.has(index) ? "fail" : "warn");
      expect(c!.hint).toBeTruthy();
    });
    expect(breaking.message).toMatch(
      /^messages \d+ and \d+ break loading in LangChain JS \/ Flowise \(first: (TypeError|Error): .*\): the bot loads no memory at all; LangChain Python fails on them too$/,
    );
    expect(breaking.hint).toContain("upstash-memory repair bad");
    expect(invisible.message).toMatch(
      new RegExp(
        `^${dropped.size} of ${bad.length + 2} messages are invisible to LangChain JS / Flowise: messages .*, dropped without a word \\(LangChain Python would raise on them\\)$`,
      ),
    );
    expect(invisible.hint).toContain("upstash-memory repair bad --invisible");
    // Only the two readable messages reach the model.
    expect(one(checks, "cost.context").message).toMatch(/^each turn sends 2 messages back to the model/);
  });

  it("under message_store: LangChain Python reads the key: what JS would drop makes it raise (fail)", async () => {
    const id = `py-${randomUUID().slice(0, 8)}`;
    const key = `message_store:${id}`;
    await writeConversation(app, key, [
      human("hello"),
      "oops",
      '{"type":"generic","data":{"content":"x","role":"critic"}}',
      ai("world"),
    ]);
    const r = await cli(["doctor", id, "--prefix", "message_store:", "--json"]);
    expect(r.code).toBe(1);
    const checks = checksOf(r);
    expect(one(checks, "content.invisible")).toMatchObject({
      status: "fail",
      message:
        "message 2 makes LangChain Python raise, so the bot loads no memory at all (LangChain JS / Flowise would drop it without a word)",
      hint: expect.stringContaining(`upstash-memory repair ${id}`),
    });
    // A JS generic message: LangChain Python does not know the type.
    expect(one(checks, "content.breaks-load")).toMatchObject({
      status: "fail",
      message: expect.stringMatching(
        /^message 3 breaks loading in LangChain Python \(ValueError: Got unexpected message type: generic\)/,
      ),
    });
    await app.del(key);
  });

  it("consecutive duplicates, interleaved conversations and broken alternation", async () => {
    const prefix = ns();
    await writeConversation(app, `${prefix}dup`, [human("hi"), human("hi"), ai("hello"), human("bye"), ai("bye!")]);
    await writeConversation(app, `${prefix}mix`, [
      human("A: what is 2+2?"),
      human("B: capital of France?"),
      ai("4"),
      ai("Paris"),
      human("A: thanks"),
      ai("you're welcome"),
    ]);
    await writeConversation(app, `${prefix}gap`, [human("q1"), ai("a1"), human("q2"), human("q3"), ai("a3")]);

    const dup = checksOf(await cli(["doctor", "dup", "--prefix", prefix, "--json"]));
    expect(one(dup, "content.duplicates")).toMatchObject({
      status: "warn",
      message: "message 2 repeats the message before it word for word",
    });
    // The repeat is reported once, not again as a broken alternation.
    expect(one(dup, "content.alternation").status).toBe("pass");

    const mix = checksOf(await cli(["doctor", "mix", "--prefix", prefix, "--json"]));
    const interleaved = one(mix, "content.interleaved");
    expect(interleaved.status).toBe("warn");
    expect(interleaved.message).toBe(
      "messages 1–4: questions, then as many answers: two conversations seem to write to one key",
    );
    expect(interleaved.hint).toContain("give each conversation its own id");
    expect(all(mix, "content.alternation")).toEqual([]);
    expect(one(mix, "content.duplicates").status).toBe("pass");

    const gap = checksOf(await cli(["doctor", "gap", "--prefix", prefix, "--json"]));
    expect(one(gap, "content.alternation")).toMatchObject({
      status: "warn",
      message: "1 place where messages of one side follow each other: 3–4 (user)",
    });
    expect(all(gap, "content.interleaved")).toEqual([]);
  });

  it("a session compacted by summarize --store: the summary is recognised, and raises no warning", async () => {
    const prefix = ns();
    const turns = Array.from({ length: 10 }, (_, i) =>
      i % 2 ? ai(`answer ${i}: the train leaves at ${i} pm.`) : human(`question ${i}: when does the train leave?`),
    );
    await writeConversation(app, `${prefix}compact`, turns, 3600);
    const s = await cli([
      "summarize",
      "compact",
      "--prefix",
      prefix,
      "--store",
      "--keep",
      "4",
      "--yes",
      "--engine",
      "extractive",
    ]);
    expect(s.code).toBe(0);
    const r = await cli(["doctor", "compact", "--prefix", prefix, "--json"]);
    expect(r.code).toBe(0);
    const checks = checksOf(r).filter((c) => c.section === "content");
    expect(checks.filter((c) => c.status === "warn" || c.status === "fail")).toEqual([]);
    expect(one(checks, "content.summary")).toMatchObject({
      status: "info",
      message: expect.stringMatching(
        /^1 summary of 6 earlier messages \(\d{4}-\d\d-\d\d \d\d:\d\d UTC\), stored by `upstash-memory summarize --store` \(message 1\)$/,
      ),
    });
    // The summary (a human message) followed by the kept question is not two user turns.
    expect(one(checks, "content.alternation").status).toBe("pass");
  });

  it("cost: tokens and commands per turn; a long history suggests summarize --store", async () => {
    const prefix = ns();
    const long = Array.from({ length: 60 }, (_, i) => (i % 2 ? ai(`answer ${i} `.repeat(10)) : human(`question ${i}`)));
    await writeConversation(app, `${prefix}long`, long);
    await writeConversation(app, `${prefix}short`, [human("x".repeat(400)), ai("y".repeat(400))], 600);
    const longChecks = checksOf(await cli(["doctor", "long", "--prefix", prefix, "--json"]));
    const context = one(longChecks, "cost.context");
    expect(context.status).toBe("warn");
    expect(context.message).toMatch(/^each turn sends 60 messages back to the model: ~[\d,]+ tokens/);
    expect(context.hint).toContain("upstash-memory summarize long --store");
    expect(one(longChecks, "cost.commands").message).toBe(
      "3 Redis commands per chat turn: LRANGE to load, then LPUSH for the question and for the answer (no TTL)",
    );
    const shortChecks = checksOf(await cli(["doctor", "short", "--prefix", prefix, "--json"]));
    expect(one(shortChecks, "cost.context")).toMatchObject({
      status: "info",
      message: expect.stringContaining("~200 tokens"),
    });
    expect(one(shortChecks, "cost.commands").message).toMatch(/^5 Redis commands per chat turn/);
  });
});

describe("near misses only a key search finds", () => {
  // An empty database of their own: the search is bounded, and the shared one
  // holds every other test's keys.
  let iso: IsolatedStack;
  let isoApp: IORedis;
  beforeAll(async () => {
    iso = await startIsolatedStack();
    isoApp = new IORedis(iso.redisUrl);
    secrets.add(iso.restToken);
  });
  afterAll(async () => {
    isoApp.disconnect();
    await iso.close();
  });

  const env = (t: TransportName) =>
    t === "rest" ? restEnv(iso.restUrl, iso.restToken) : { UPSTASH_REDIS_REST_URL: iso.redisUrl };

  // An empty database is needed: the cluster's similar-key search is tested in cluster.test.ts.
  it.each(["rest", "redis"] as const)(
    "whitespace, mixed case, a key containing the id and a key the id contains (%s)",
    async (transport) => {
      const id = `conv-${randomUUID().slice(0, 8)}`;
      const mixed = id.replace(/^conv/, "Conv").toUpperCase().replace(/^CONV/, "Conv");
      await writeConversation(isoApp, `${id}\n`, [human("from a form"), ai("ok")]);
      await writeConversation(isoApp, mixed, [human("mixed")]);
      await writeConversation(isoApp, `chat:${id}:main`, [human("1"), ai("2"), human("3")]);
      const r = await run(["doctor", id, "--json"], { env: env(transport) });
      expect(r.code).toBe(3);
      const misses = all(checksOf(r), "key.near-miss");
      expect(misses).toContainEqual(
        expect.objectContaining({
          message: `key ${JSON.stringify(`${id}\n`)} holds 2 messages (surrounding whitespace)`,
          hint: expect.stringContaining("trim it"),
        }),
      );
      expect(misses).toContainEqual(
        expect.objectContaining({ message: `key '${mixed}' holds 1 message (other case)` }),
      );
      expect(misses).toContainEqual(
        expect.objectContaining({ message: `key 'chat:${id}:main' holds 3 messages (contains the id)` }),
      );
      expect(all(checksOf(r), "key.search")).toEqual([]);

      const longer = checksOf(await run(["doctor", `user-7:${id}`, "--json"], { env: env(transport) }));
      expect(all(longer, "key.near-miss")).toContainEqual(
        expect.objectContaining({ message: expect.stringMatching(/holds 2 messages \(part of the id\)$/) }),
      );
    },
  );

  it("the search is bounded, and says so when the bound was hit", async () => {
    const big = await startIsolatedStack();
    const bigApp = new IORedis(big.redisUrl);
    try {
      const pipe = bigApp.pipeline();
      for (let i = 0; i < 25_000; i++) pipe.lpush(`filler:${i}`, human("x"));
      await pipe.exec();
      const r = await run(["doctor", "absent-session", "--json", "--stats"], {
        env: restEnv(big.restUrl, big.restToken),
      });
      const search = one(checksOf(r), "key.search");
      expect(search.status).toBe("info");
      expect(search.message).toMatch(/^searched the first [\d,]+ keys only \(bound: 2 requests\)/);
      // PING, the permission probe, the session read, then the near-miss search: at most 2 requests.
      const requests = Number(/stats: (\d+) HTTP requests/.exec(r.stderr)![1]);
      expect(requests).toBeLessThanOrEqual(3 + 2);
    } finally {
      bigApp.disconnect();
      await big.close();
    }
  });
});

describe("on a terminal", () => {
  it("findings are grouped by section, with coloured symbols, hints and a summary", async () => {
    const prefix = ns();
    await writeConversation(app, `${prefix}gap`, [human("q1"), human("q2"), ai("a2")], 3600);
    const r = await runInPty(["doctor", "gap", "--prefix", prefix], [], { env: connectionEnv("rest") });
    expect(r.code).toBe(0);
    const screen = r.screen.replace(/\u001b\[[0-9;]*m/g, "");
    const headings = ["Connection", "Session key", "Key health", "Content", "Cost per chat turn"];
    const at = headings.map((h) => screen.search(new RegExp(`^${h}\\r?$`, "m")));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    // One line per check; check ids only with --verbose (and in --json).
    expect(screen).toMatch(/^ {2}! 1 place where messages of one side follow each other: 1–2 \(user\)\r?$/m);
    expect(screen).not.toContain("content.alternation");
    expect(screen).toMatch(/^ {6}→ a failed model call/m);
    expect(screen).toMatch(/0 failed · 1 warning · \d+ passed/);
    expect(r.screen).toMatch(/\u001b\[33m!/);
    const verbose = await runInPty(["doctor", "gap", "--prefix", prefix, "--verbose"], [], {
      env: connectionEnv("rest"),
    });
    expect(verbose.screen.replace(/\u001b\[[0-9;]*m/g, "")).toMatch(
      /follow each other: 1–2 \(user\) {2}\[content\.alternation\]/,
    );
  });

  it("at 80 columns every check is one line", async () => {
    const prefix = ns();
    await writeConversation(app, `${prefix}${"long-".repeat(12)}id`, [human("q1"), human("q2"), ai("a2")], 3600);
    const r = await runInPty(["doctor", `${"long-".repeat(12)}id`, "--prefix", prefix, "--no-pager"], [], {
      env: connectionEnv("rest"),
      columns: 80,
    });
    const lines = r.screen.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, "").split(/\r?\n/);
    const checks = lines.filter((l) => /^ {2}[✓!✗i] /.test(l));
    expect(checks.length).toBeGreaterThan(5);
    // One line per check: as many check lines as the same run reports checks in JSON.
    const json = await run(["doctor", `${"long-".repeat(12)}id`, "--prefix", prefix, "--json"], {
      env: connectionEnv("rest"),
    });
    expect(checks).toHaveLength(checksOf(json).length);
    for (const l of lines) expect(stringWidth(l)).toBeLessThanOrEqual(80);
    // A check's line is followed by another check, its hint (→), a blank line or a heading:
    // never by the rest of its own text. Only a hint's own lines may continue it.
    for (let i = 0; i < lines.length - 1; i++) {
      if (/^ {2}[✓!✗i] /.test(lines[i])) expect(lines[i + 1]).toMatch(/^( {2}[✓!✗i] | {6}→ |$|\S)/);
      if (/^ {8}\S/.test(lines[i + 1])) expect(lines[i]).toMatch(/^ {6}(→| {2})/);
    }
    for (const l of checks) expect(l).not.toMatch(/\.(source|alternation|exists)\b/);
  });
});

describe("secrets", () => {
  it("no token or password used above was ever printed", () => {
    expect(outputs.length).toBeGreaterThan(0);
    expect(secrets.size).toBeGreaterThan(3);
    for (const out of outputs) for (const s of secrets) expect(out.includes(s)).toBe(false);
  });
});
