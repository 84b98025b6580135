// Checks a URL and token before they are saved: a PING, and in the same
// request whether the token may write. The write probe is LPUSHX on a key that
// does not exist (as doctor's): it changes nothing, yet a read-only token gets NOPERM.
import { randomBytes } from "node:crypto";
import { openStore } from "../store/connect.js";
import { asText, unwrap } from "../store/replies.js";
import { ConnectionError } from "../errors/errors.js";

export interface Verified {
  pingMs: number;
  /** The token may read but not write (NOPERM on the probe). */
  readOnly: boolean;
}

export async function verifyConnection(url: string, token: string | undefined, timeoutMs: number): Promise<Verified> {
  const store = await openStore({ url, token, timeoutMs, attempts: 1 });
  const started = Date.now();
  const probe = `upstash-memory-login-probe-${randomBytes(8).toString("hex")}`;
  try {
    const [pong, write] = await store.pipeline([["PING"], ["LPUSHX", probe, "probe"]], { idempotent: true });
    const reply = asText(unwrap(pong));
    if (reply !== "PONG") throw new ConnectionError(`unexpected answer to PING: ${reply.slice(0, 40)}`);
    return { pingMs: Date.now() - started, readOnly: !write.ok && write.error.startsWith("NOPERM") };
  } finally {
    await store.close();
  }
}
