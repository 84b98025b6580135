// Checks a URL and token with one PING before they are saved.
import { openStore } from "../store/connect.js";
import { asText, unwrap } from "../store/replies.js";
import { ConnectionError } from "../errors/errors.js";

export async function verifyConnection(url: string, token: string | undefined, timeoutMs: number): Promise<number> {
  const store = await openStore({ url, token, timeoutMs, attempts: 1 });
  const started = Date.now();
  try {
    const [pong] = await store.pipeline([["PING"]], { idempotent: true });
    const reply = asText(unwrap(pong));
    if (reply !== "PONG") throw new ConnectionError(`unexpected answer to PING: ${reply.slice(0, 40)}`);
    return Date.now() - started;
  } finally {
    await store.close();
  }
}
