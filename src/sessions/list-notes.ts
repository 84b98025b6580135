// What `sessions list` notices about the list it printed, for a hint on
// stderr: a prefix missing its separator (every id then starts with `:`), or
// a pattern that matched keys, none of them chat histories.
import type { Store } from "../store/types.js";
import { asText, unwrap } from "../store/replies.js";
import type { KeySpace } from "./keys.js";
import { scanKeys } from "./scan.js";

const SEPARATORS = ":/|#._-";

/** Counts the sessions passing through and notices the separator every id starts with. */
export class ListWatch {
  count = 0;
  private separator: string | null | undefined;

  constructor(private readonly prefix: string) {}

  /** Sessions a page at a time, passed on as they come. */
  async *watchPages<T extends { sessionId: string }>(pages: AsyncIterable<readonly T[]>): AsyncGenerator<readonly T[]> {
    for await (const page of pages) {
      for (const x of page) this.see(x);
      yield page;
    }
  }

  private see(x: { sessionId: string }): void {
    this.count++;
    const first = x.sessionId[0] ?? "";
    if (this.separator === undefined) this.separator = SEPARATORS.includes(first) && first ? first : null;
    else if (this.separator !== first) this.separator = null;
  }

  /** `message_store:` when the prefix was `message_store` and every id starts with `:`. */
  suggestedPrefix(): string | undefined {
    const last = this.prefix[this.prefix.length - 1];
    if (!this.separator || !last || SEPARATORS.includes(last)) return undefined;
    return this.prefix + this.separator;
  }
}

export interface OtherTypes {
  /** Keys seen of other types (the scan stops at `limit`). */
  count: number;
  examples: { sessionId: string; type: string }[];
}

/** Keys matching the pattern that are not lists: why a pattern listed nothing. */
export async function otherTypes(store: Store, keys: KeySpace, pattern: string, limit = 100): Promise<OtherTypes> {
  const found: OtherTypes = { count: 0, examples: [] };
  const plan = {
    commands: (k: string) => [["TYPE", k]],
    read: (k: string, o: import("../store/types.js").Outcome[]) => {
      const type = o[0].ok ? asText(unwrap(o[0])) : "none";
      return type === "list" || type === "none" ? null : { sessionId: keys.sessionId(k), type };
    },
  };
  for await (const page of scanKeys(store, keys, plan, { pattern, anyType: true })) {
    for (const x of page) {
      found.count++;
      if (found.examples.length < 3) found.examples.push(x);
    }
    if (found.count >= limit) break;
  }
  return found;
}
