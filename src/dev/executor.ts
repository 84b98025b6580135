// Runs parsed commands on Redis and keeps every reply as bytes (callBuffer), so
// base64 responses are byte-exact. A Redis error reply is an outcome of its
// command; anything else (connection gone) is a RedisUnavailableError.
import { ReplyError, type ChainableCommander, type Redis } from "ioredis";
import { RedisUnavailableError, type TransactionPool } from "./connections.js";
import { attachTypes, withoutWithType } from "./scan-withtype.js";
import { argText, type Argv } from "./routes.js";

export type Outcome = { result: unknown } | { error: string };

/** A pipeline entry: a command to run, or the reason it was refused beforehand. */
export type PipelineItem = Argv | { refused: string };

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
}

function plan(argv: Argv): Plan {
  const scan = withoutWithType(argv);
  return { argv: scan ?? argv, withTypes: scan !== undefined };
}

function send(target: Redis | ChainableCommander, argv: Argv): unknown {
  // Upper case on purpose: ioredis looks up its reply transformers by the exact
  // name, and the one for "hgetall" would turn the flat array Upstash returns
  // into an object.
  return target.callBuffer(argText(argv[0]).toUpperCase(), ...argv.slice(1));
}

export class Executor {
  constructor(
    private readonly shared: Redis,
    private readonly pool: TransactionPool,
  ) {}

  async command(argv: Argv): Promise<Outcome> {
    const p = plan(argv);
    let reply: unknown;
    try {
      reply = await send(this.shared, p.argv);
    } catch (err) {
      return failed(err);
    }
    return this.finish(p, reply);
  }

  /** Every command runs, in order, on the shared connection; each succeeds or fails on its own. */
  async pipeline(items: PipelineItem[]): Promise<Outcome[]> {
    const outcomes: Outcome[] = [];
    const batch = this.shared.pipeline();
    const sent: Array<{ index: number; plan: Plan }> = [];
    items.forEach((item, index) => {
      if (!Array.isArray(item)) {
        outcomes[index] = { error: item.refused };
        return;
      }
      const p = plan(item);
      send(batch, p.argv);
      sent.push({ index, plan: p });
    });
    if (sent.length > 0) {
      const replies = await execute(batch);
      for (const [i, { index, plan: p }] of sent.entries()) {
        outcomes[index] = await this.settle(p, replies[i]);
      }
    }
    return outcomes;
  }

  /** MULTI/EXEC on a pooled connection of its own. */
  transaction(commands: Argv[]): Promise<Outcome[]> {
    const plans = commands.map(plan);
    return this.pool.run(async (conn) => {
      const multi = conn.multi();
      for (const p of plans) send(multi, p.argv);
      let replies: Array<[Error | null, unknown]>;
      try {
        replies = await execute(multi);
      } catch (err) {
        if (err instanceof ReplyError) throw new TransactionAbortedError(abortMessage(err as Error));
        throw err;
      }
      const outcomes: Outcome[] = [];
      for (const [i, p] of plans.entries()) outcomes.push(await this.settle(p, replies[i]));
      return outcomes;
    });
  }

  private async settle(p: Plan, entry: [Error | null, unknown] | undefined): Promise<Outcome> {
    if (!entry) throw new RedisUnavailableError("a reply is missing");
    const [err, reply] = entry;
    return err ? failed(err) : this.finish(p, reply);
  }

  private async finish(p: Plan, reply: unknown): Promise<Outcome> {
    if (!p.withTypes) return { result: reply };
    try {
      return { result: await attachTypes(this.shared, reply) };
    } catch (err) {
      return failed(err);
    }
  }
}

/** A Redis error reply as an outcome; any other failure means Redis could not be reached. */
function failed(err: unknown): Outcome {
  if (err instanceof ReplyError) return { error: (err as Error).message };
  if (err instanceof RedisUnavailableError) throw err;
  throw new RedisUnavailableError(err);
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
