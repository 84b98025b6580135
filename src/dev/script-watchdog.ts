// A script that never ends (`while true do end`) stops the whole Redis: once it
// has run for busy-reply-threshold (5 s by default), every other client is
// answered BUSY until it returns. Either token may run one (EVAL_RO is a read),
// so the endpoint ends it: while a request with a script has been waiting for
// longer than the limit, it sends SCRIPT KILL or FUNCTION KILL, again every
// limit, on a connection of its own that nothing else uses. Redis kills a script
// that has not written yet; one that has written cannot be killed by anyone
// (UNKILLABLE), on Upstash's side as on any Redis.
import type { Redis } from "ioredis";

/** The KILL command that ends each kind of script. */
const KILLERS = new Map([
  ["EVAL", "SCRIPT"],
  ["EVALSHA", "SCRIPT"],
  ["EVAL_RO", "SCRIPT"],
  ["EVALSHA_RO", "SCRIPT"],
  ["FCALL", "FUNCTION"],
  ["FCALL_RO", "FUNCTION"],
]);

export class ScriptWatchdog {
  constructor(
    private readonly control: Redis,
    private readonly limitMs: number,
  ) {}

  /** Wait for `work`, killing the running script while it takes too long. */
  async guard<T>(names: readonly string[], work: Promise<T>): Promise<T> {
    const killers = new Set(names.map((n) => KILLERS.get(n)).filter((k): k is string => k !== undefined));
    if (killers.size === 0) return work;
    const timer = setInterval(() => {
      // NOTBUSY (nothing running any more) and UNKILLABLE are expected answers.
      for (const container of killers) this.control.call(container, "KILL").catch(() => {});
    }, this.limitMs);
    try {
      return await work;
    } finally {
      clearInterval(timer);
    }
  }
}
