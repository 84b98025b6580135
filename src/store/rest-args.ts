// The REST API takes a command as a JSON array of strings, and JSON carries
// text only: an argument whose bytes are not UTF-8 (a key an app wrote with
// such bytes) cannot be sent as it is. Such a command is sent as a script
// instead: the bytes travel as base64 and are decoded inside Redis, then the
// command runs there with the exact bytes. Replies need nothing special: the
// transport asks for base64-encoded replies, which carry any bytes.
import { bytesFromText, hasEscapedBytes } from "../text/bytes.js";
import type { Arg, Cmd } from "./types.js";

/** Lua `unb64(s)`: base64 → bytes (Redis' Lua has no base64 of its own). */
export const LUA_UNBASE64 = `
local b64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
local function unb64(data)
  data = string.gsub(data, '[^' .. b64 .. '=]', '')
  return (data:gsub('.', function(x)
    if x == '=' then return '' end
    local r, f = '', (b64:find(x, 1, true) - 1)
    for i = 6, 1, -1 do r = r .. (f % 2 ^ i - f % 2 ^ (i - 1) > 0 and '1' or '0') end
    return r
  end):gsub('%d%d%d?%d?%d?%d?%d?%d?', function(x)
    if #x ~= 8 then return '' end
    local c = 0
    for i = 1, 8 do c = c + (x:sub(i, i) == '1' and 2 ^ (8 - i) or 0) end
    return string.char(c)
  end))
end
`;

/**
 * Runs before the script: the last ARGV is one flag per key and argument
 * ('b' = base64); it is removed and the flagged entries decoded in place, so
 * the script sees exactly the KEYS and ARGV it was written for.
 */
const PROLOGUE = `${LUA_UNBASE64}
local flags = table.remove(ARGV)
for i = 1, #KEYS do
  if string.sub(flags, i, i) == 'b' then KEYS[i] = unb64(KEYS[i]) end
end
for i = 1, #ARGV do
  if string.sub(flags, #KEYS + i, #KEYS + i) == 'b' then ARGV[i] = unb64(ARGV[i]) end
end
`;

/** Any other command: run it from a script, its error reply passed on unchanged. */
const RUN_ARGV = `${PROLOGUE}
return redis.pcall(unpack(ARGV))
`;

type Wire = { text: string; bytes: boolean };

function wire(a: Arg): Wire {
  if (typeof a === "number") return { text: String(a), bytes: false };
  const b = Buffer.isBuffer(a) ? a : hasEscapedBytes(a) ? bytesFromText(a) : undefined;
  if (b === undefined) return { text: a as string, bytes: false };
  const text = b.toString("utf8");
  return Buffer.from(text, "utf8").equals(b) ? { text, bytes: false } : { text: b.toString("base64"), bytes: true };
}

/** A command as the REST API's JSON array of strings. */
export function restCommand(cmd: Cmd): string[] {
  const args = cmd.map(wire);
  if (!args.some((a) => a.bytes)) return args.map((a) => a.text);
  const name = args[0].text.toUpperCase();
  if (name === "EVAL") {
    // EVAL script numkeys keys... args...: decode in front of the script itself.
    const rest = args.slice(3);
    return [
      "EVAL",
      PROLOGUE + args[1].text,
      args[2].text,
      ...rest.map((a) => a.text),
      rest.map((a) => (a.bytes ? "b" : "t")).join(""),
    ];
  }
  return ["EVAL", RUN_ARGV, "0", ...args.map((a) => a.text), args.map((a) => (a.bytes ? "b" : "t")).join("")];
}
