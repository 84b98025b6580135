// Redis replies, as ioredis returns them from callBuffer (Buffers, integers,
// null, nested arrays, errors nested inside script replies), to the JSON the
// Upstash REST API sends.
//
// With `Upstash-Encoding: base64` every string at every depth is base64 of the
// exact bytes, except a command's own top-level "OK" status, which @upstash/redis
// recognises before decoding. Without it strings are UTF-8 text.

export type JsonReply = string | number | null | JsonReply[];

const OK = Buffer.from("OK");

export function wantsBase64(header: string | string[] | undefined): boolean {
  const value = Array.isArray(header) ? header[0] : header;
  return value?.trim().toLowerCase() === "base64";
}

export function encodeReply(reply: unknown, base64: boolean): JsonReply {
  // ioredis hands status replies over as Buffers too, so a top-level "OK" status
  // and a bulk "OK" look alike; both decode to "OK" on the client either way.
  if (Buffer.isBuffer(reply) && reply.equals(OK)) return "OK";
  return encodeNested(reply, base64);
}

function encodeNested(value: unknown, base64: boolean): JsonReply {
  if (value === null || value === undefined) return null;
  if (typeof value === "number") return value;
  if (Buffer.isBuffer(value)) return base64 ? value.toString("base64") : value.toString("utf8");
  if (Array.isArray(value)) return value.map((v) => encodeNested(v, base64));
  // An error inside an array (a script returning redis.pcall's failure) is data
  // of the reply, not a failure of the command: it travels as a string.
  if (value instanceof Error) return encodeNested(Buffer.from(value.message), base64);
  return encodeNested(Buffer.from(String(value)), base64);
}
