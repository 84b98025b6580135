// Read-only scripts that look at a session where it is stored, so only what
// matters crosses the network: `search` gets back the elements that may match,
// `stats` a dozen numbers per session. Each is loaded once per server (SCRIPT
// LOAD, one request per master before the walk) and then called by its SHA-1
// (EVALSHA_RO, one key, about 100 bytes a session), one call per session in
// the request that carries the next SCAN. When a script cannot run there
// (NOSCRIPT after a failover, a key whose bytes are not UTF-8 over REST), the
// caller reads that session's elements plainly instead: slower, never wrong.
import { createHash } from "node:crypto";
import type { Cmd, Outcome, Store } from "../store/types.js";
import { scanNodesOf } from "../store/shards.js";
import { hasEscapedBytes } from "../text/bytes.js";

/** Elements read per LRANGE inside a script: bounded memory whatever a session holds. */
const CHUNK = 1000;

/**
 * KEYS[1] a session; ARGV[1] '1' to compare lower-cased (ASCII) text; ARGV[2]
 * a byte budget for the elements sent back; ARGV[3] the index (1 = oldest) to
 * go on from, or 0 for the newest; ARGV[4..] literal pieces an element must
 * all contain (plain string.find). Elements are looked at newest first; once
 * the budget is spent (always after one element at least) the call ends.
 * → {LLEN, index to go on from (0 = done), position, element, ...},
 * positions 0-based from the head (the newest element).
 */
export const SEARCH_LUA = `
local key, fold, budget, resume = KEYS[1], ARGV[1] == '1', tonumber(ARGV[2]), tonumber(ARGV[3])
local n = redis.call('LLEN', key)
local out = {n, 0}
local at = 0
if resume > 0 then at = math.max(n - resume, 0) end
local size = 0
while at < n do
  local page = redis.call('LRANGE', key, at, at + ${CHUNK - 1})
  for j = 1, #page do
    local e = page[j]
    local s = fold and string.lower(e) or e
    local all = true
    for a = 4, #ARGV do
      if not string.find(s, ARGV[a], 1, true) then all = false break end
    end
    if all then
      if size > 0 and size + #e > budget then out[2] = n - (at + j - 1) return out end
      size = size + #e
      out[#out + 1] = at + j - 1
      out[#out + 1] = e
    end
  end
  if #page < ${CHUNK} then break end
  at = at + ${CHUNK}
end
return out
`;

/**
 * KEYS[1] any key. A list → {'list', LLEN, TTL, MEMORY USAGE (-1 when not
 * allowed), element bytes, user, assistant, system, tool, other, not a chat
 * message}; another type → {type}. The roles follow src/history/codec.ts
 * (parseElement, roleOf): a JSON object (after a leading BOM; bytes that are
 * not UTF-8 allowed) with a string type, an object data with a content (null
 * included), a known type; generic and chat messages count under their own
 * data.role.
 */
export const STATS_LUA = `
local key = KEYS[1]
local t = redis.call('TYPE', key)['ok']
if t ~= 'list' then return {t} end
local ROLE = {human='user', ai='assistant', system='system', tool='tool', ['function']='tool', generic='generic', chat='generic'}
-- cjson takes NaN and Infinity, which JSON.parse (the readers) refuses: such an
-- element is not JSON to them.
local function finite(t)
  local stack, n = {t}, 1
  while n > 0 do
    local x = stack[n]
    stack[n] = nil
    n = n - 1
    for _, v in pairs(x) do
      if type(v) == 'number' then
        if v ~= v or v == math.huge or v == -math.huge then return false end
      elseif type(v) == 'table' then
        n = n + 1
        stack[n] = v
      end
    end
  end
  return true
end
local function role(e)
  -- As the codec reads an element (as LangChain JS and Flowise do): a leading
  -- BOM dropped, bytes that are not UTF-8 kept (the readers see U+FFFD), and a
  -- null content loaded as empty content.
  if string.sub(e, 1, 3) == '\\239\\187\\191' then e = string.sub(e, 4) end
  local ok, v = pcall(cjson.decode, e)
  if not ok or type(v) ~= 'table' or type(v.type) ~= 'string' or not finite(v) then return nil end
  local d = v.data
  if type(d) ~= 'table' or d.content == nil then return nil end
  local r = ROLE[v.type]
  if r == 'generic' and type(d.role) == 'string' and d.role ~= '' then r = d.role end
  return r
end
local n = redis.call('LLEN', key)
local mem = redis.pcall('MEMORY', 'USAGE', key, 'SAMPLES', '0')
if type(mem) ~= 'number' then mem = -1 end
local bytes, c = 0, {user=0, assistant=0, system=0, tool=0, other=0, bad=0}
local at = 0
while at < n do
  local page = redis.call('LRANGE', key, at, at + ${CHUNK - 1})
  for j = 1, #page do
    local e = page[j]
    bytes = bytes + #e
    local r = role(e)
    if r == nil then r = 'bad' elseif c[r] == nil or r == 'bad' then r = 'other' end
    c[r] = c[r] + 1
  end
  if #page < ${CHUNK} then break end
  at = at + ${CHUNK}
end
return {'list', n, redis.call('TTL', key), mem, bytes, c.user, c.assistant, c.system, c.tool, c.other, c.bad}
`;

export interface Script {
  source: string;
  sha: string;
}

export function script(source: string): Script {
  return { source, sha: createHash("sha1").update(source).digest("hex") };
}

/**
 * Loads the script on every server a walk visits (every master of a cluster):
 * one request per server. A server that refuses (scripts disabled) is left
 * out: its sessions are then read plainly, which the walk does by itself.
 */
export async function loadScript(store: Store, s: Script): Promise<void> {
  const { nodes } = await scanNodesOf(store);
  await Promise.all(
    nodes.map((node) => node.pipeline([["SCRIPT", "LOAD", s.source]], { idempotent: true }).catch(() => undefined)),
  );
}

/** The script's call for one key, or null when it must be read plainly (a key that is not UTF-8 over REST). */
export function scriptCall(store: Store, s: Script, key: string, args: (string | number)[]): Cmd | null {
  if (store.transport === "rest" && hasEscapedBytes(key)) return null;
  return ["EVALSHA_RO", s.sha, 1, key, ...args];
}

/** A script that did not run (as opposed to a key that changed type meanwhile): read the key plainly. */
export function scriptFailed(o: Outcome): boolean {
  return !o.ok && !/WRONGTYPE/.test(o.error);
}
