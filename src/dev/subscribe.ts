// Upstash's subscribe over REST, as @upstash/redis' subscribe()/psubscribe()
// use it: `POST /subscribe/<channel>` (or `/psubscribe/<pattern>`) with
// `Accept: text/event-stream` answers a Server-Sent Events stream, fed by a
// Redis connection of its own that subscribes and nothing else:
//   data: subscribe,<channel>,<count>
//   data: message,<channel>,<payload>
//   data: pmessage,<pattern>,<channel>,<payload>
// The stream and its connection end when the client goes away (or Redis
// does). Both tokens may subscribe (it reads); PUBLISH stays a write.
import type { ServerResponse } from "node:http";
import type { Redis } from "ioredis";
import { openConnection } from "./connections.js";
import { HttpError } from "./routes.js";

export type SubscriptionKind = "subscribe" | "psubscribe";

/** Streams open at once; each holds a client socket and a Redis connection. */
export const MAX_STREAMS = 100;

export interface Subscription {
  kind: SubscriptionKind;
  /** The channel, or the pattern for psubscribe. */
  target: string;
}

/** The subscription a request path asks for, or undefined when it is not a subscribe route. */
export function subscriptionRoute(pathname: string): Subscription | undefined {
  const match = /^\/(subscribe|psubscribe)\/(.+)$/i.exec(pathname);
  if (!match) return undefined;
  let target: string;
  try {
    target = decodeURIComponent(match[2]);
  } catch {
    throw new HttpError(400, `ERR malformed percent-encoding in the channel '${match[2]}'`);
  }
  return { kind: match[1].toLowerCase() as SubscriptionKind, target };
}

export class Subscriptions {
  private open = 0;

  constructor(private readonly max = MAX_STREAMS) {}

  /** Checks there is room for one more stream; throws the 4xx that says why not. */
  reserve(): void {
    if (this.open >= this.max) {
      throw new HttpError(429, `ERR too many subscriptions open (at most ${this.max}): close one first`);
    }
    this.open++;
  }

  /**
   * Subscribes on a connection of its own (logged in as `redisUrl` says) and
   * streams what arrives until the client or Redis goes away. Call reserve() first.
   */
  async stream(
    sub: Subscription,
    redisUrl: string,
    res: ServerResponse,
    headers: Record<string, string>,
  ): Promise<void> {
    let conn: Redis | undefined;
    let released = false;
    let streaming = false;
    const release = () => {
      if (released) return;
      released = true;
      this.open--;
      conn?.disconnect();
      // Before the stream began, the caller answers with the error.
      if (streaming && !res.writableEnded) res.end();
    };
    res.once("close", release);
    try {
      conn = await openConnection(redisUrl, false);
      if (res.destroyed) return release();
      conn.once("end", release);
      const write = (...parts: Array<string | Buffer>) => {
        if (!res.writableEnded)
          res.write(Buffer.concat([Buffer.from("data: "), ...parts.map(toBuffer), Buffer.from("\n\n")]));
      };
      conn.on("messageBuffer", (channel: Buffer, message: Buffer) => write("message,", channel, ",", message));
      conn.on("pmessageBuffer", (pattern: Buffer, channel: Buffer, message: Buffer) =>
        write("pmessage,", pattern, ",", channel, ",", message),
      );
      const count = (await conn[sub.kind](sub.target)) as number;
      streaming = true;
      res.writeHead(200, {
        ...headers,
        "Content-Type": "text/event-stream",
        "Cache-Control": "no-cache",
        Connection: "keep-alive",
      });
      write(`${sub.kind},`, sub.target, `,${count}`);
    } catch (err) {
      release();
      throw err;
    }
  }
}

function toBuffer(part: string | Buffer): Buffer {
  return typeof part === "string" ? Buffer.from(part, "utf8") : part;
}
