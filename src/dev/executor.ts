// Runs vetted commands on Redis and keeps every reply as bytes (callBuffer), so
// base64 responses are byte-exact. A Redis error reply is an outcome of its
// command; anything else (connection gone) is a RedisUnavailableError.
import { ReplyError, type ChainableCommander, type Redis } from "ioredis";
import { type ConnectionPool, RedisUnavailableError } from "./connections.js";
import { isNeverRun, wasVetted, type Refusal, type VettedCommand } from "./policy.js";
import { attachTypes, withoutWithType } from "./scan-withtype.js";
import type { ScriptWatchdog } from "./script-watchdog.js";
import type { Argv } from "./routes.js";

export type Outcome = { result: unknown } | { error: string };

/** A pipeline entry: a command to run, or the reason it was refused beforehand. */
export type PipelineItem = VettedCommand | Refusal;

/** MULTI/EXEC discarded as a whole (an error while queueing): HTTP 400. */
export class TransactionAbortedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TransactionAbortedError";
  }
}

interface Plan {
  argv: Argv;
  /** SCAN ... WITHTYPE, emulated after the SCAN ran. */
  withTypes: boolean;
  /** The reply, known without asking Redis. */
  constant?: number;
}

/**
 * The second line of defence: whatever a caller hands over, only a command the
 * policy issued is sent, and never one that could change a shared connection's
 * state. A violation is a bug: the request fails (500) and nothing is sent.
 */
function plan(cmd: VettedCommand): Plan {
  const name = cmd.argv[0];
  if (!wasVetted(cmd) || typeof name !== "string" || isNeverRun(name)) {
    throw new Error(`refusing to send a command the policy did not allow`);
  }
  const scan = withoutWithType(cmd.argv);
  return { argv: scan ?? cmd.argv, withTypes: scan !== undefined, constant: cmd.constantReply };
}

function names(plans: Plan[]): string[] {
  return plans.map((p) => p.argv[0] as string);
}

function send(target: Redis | ChainableCommander, argv: Argv): unknown {
  // The canonical name is upper case, which also matters to ioredis: it looks up
  // reply transformers by the exact name, and the one for "hgetall" would turn
  // the flat array Upstash returns into an object.
  return target.callBuffer(argv[0] as string, ...argv.slice(1));
}

export class Executor {
  constructor(
    private readonly pool: ConnectionPool,
    private readonly watchdog: ScriptWatchdog,
  ) {}

  async command(cmd: VettedCommand): Promise<Outcome> {
    const p = plan(cmd);
    if (p.constant !== undefined) return { result: p.constant };
    return this.watchdog.guard(
      names([p]),
      this.pool.run(async (conn) => {
        let reply: unknown;
        try {
          reply = await send(conn, p.argv);
        } catch (err) {
          return failed(err);
        }
        return finish(conn, p, reply);
      }),
    );
  }

  /** Every command runs, in order, on one connection; each succeeds or fails on its own. */
  async pipeline(items: PipelineItem[]): Promise<Outcome[]> {
    const outcomes: Outcome[] = [];
    const plans = items.map((item) => ("refused" in item ? item : plan(item)));
    const sent: Array<{ index: number; plan: Plan }> = [];
    plans.forEach((p, index) => {
      if ("refused" in p) outcomes[index] = { error: p.refused };
      else if (p.constant !== undefined) outcomes[index] = { result: p.constant };
      else sent.push({ index, plan: p });
    });
    if (sent.length === 0) return outcomes;
    await this.watchdog.guard(
      names(sent.map((s) => s.plan)),
      this.pool.run(async (conn) => {
        const batch = conn.pipeline();
        for (const { plan: p } of sent) send(batch, p.argv);
        const replies = await execute(batch);
        for (const [i, { index, plan: p }] of sent.entries()) {
          outcomes[index] = await settle(conn, p, replies[i]);
        }
      }),
    );
    return outcomes;
  }

  /** MULTI/EXEC on a connection of its own. */
  async transaction(commands: VettedCommand[]): Promise<Outcome[]> {
    const plans = commands.map(plan);
    const queued = plans.filter((p) => p.constant === undefined);
    const run = async (conn: Redis): Promise<Outcome[] | TransactionAbortedError> => {
      const replies = queued.length === 0 ? [] : await execTransaction(conn, queued);
      if (replies instanceof TransactionAbortedError) return replies;
      const outcomes: Outcome[] = [];
      let next = 0;
      for (const p of plans) {
        outcomes.push(p.constant !== undefined ? { result: p.constant } : await settle(conn, p, replies[next++]));
      }
      return outcomes;
    };
    const outcomes = await this.watchdog.guard(names(queued), this.pool.run(run));
    // EXECABORT is Redis' answer, not a failure of the connection: it went back
    // to the pool, and the transaction is refused as a whole.
    if (outcomes instanceof TransactionAbortedError) throw outcomes;
    return outcomes;
  }
}

async function settle(conn: Redis, p: Plan, entry: [Error | null, unknown] | undefined): Promise<Outcome> {
  if (!entry) throw new RedisUnavailableError("a reply is missing");
  const [err, reply] = entry;
  return err ? failed(err) : finish(conn, p, reply);
}

async function finish(conn: Redis, p: Plan, reply: unknown): Promise<Outcome> {
  if (!p.withTypes) return { result: reply };
  try {
    return { result: await attachTypes(conn, reply) };
  } catch (err) {
    return failed(err);
  }
}

/** A Redis error reply as an outcome; any other failure means Redis could not be reached. */
function failed(err: unknown): Outcome {
  if (err instanceof ReplyError) return { error: (err as Error).message };
  if (err instanceof RedisUnavailableError) throw err;
  throw new RedisUnavailableError(err);
}

async function execTransaction(
  conn: Redis,
  plans: Plan[],
): Promise<Array<[Error | null, unknown]> | TransactionAbortedError> {
  const multi = conn.multi();
  for (const p of plans) send(multi, p.argv);
  try {
    return await execute(multi);
  } catch (err) {
    if (err instanceof ReplyError) return new TransactionAbortedError(abortMessage(err as Error));
    throw err;
  }
}

/** Run a pipeline or MULTI; a rejected EXEC (EXECABORT) is rethrown as the ReplyError it is. */
async function execute(batch: ChainableCommander): Promise<Array<[Error | null, unknown]>> {
  let replies: Array<[Error | null, unknown]> | null;
  try {
    replies = await batch.exec();
  } catch (err) {
    if (err instanceof ReplyError) throw err;
    throw new RedisUnavailableError(err);
  }
  if (!replies) throw new RedisUnavailableError("the batch was not executed");
  return replies;
}

/** Redis' EXECABORT, with the error that caused it (ioredis keeps it in previousErrors). */
function abortMessage(err: Error & { previousErrors?: Error[] }): string {
  const cause = err.previousErrors?.[0]?.message;
  return cause ? `${err.message.replace(/\.$/, "")}: ${cause}` : err.message;
}
