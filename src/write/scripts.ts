// Server-side scripts for every write. Each runs atomically in Redis and is
// sent as one EVAL (one request, nothing to load first), and each is safe to
// send twice: that is what lets a write whose response was lost be retried
// without applying it twice.
import { LUA_UNBASE64 } from "../store/rest-args.js";

/**
 * LPUSH one element unless it is already among the newest ARGV[3] elements
 * (the element carries a unique data.id, so equal means "this very write").
 * EXPIRE in the same step when ARGV[2] is set; otherwise the TTL is untouched.
 * → {applied (1/0), length, ttl}
 */
export const APPEND = `
local head = redis.call('LRANGE', KEYS[1], 0, tonumber(ARGV[3]) - 1)
for i = 1, #head do
  if head[i] == ARGV[1] then
    return {0, redis.call('LLEN', KEYS[1]), redis.call('TTL', KEYS[1])}
  end
end
local n = redis.call('LPUSH', KEYS[1], ARGV[1])
if ARGV[2] ~= '' then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
return {1, n, redis.call('TTL', KEYS[1])}
`;

/**
 * EXPIRE (ARGV[1] seconds) or PERSIST (ARGV[1] = 'persist') each key that is a
 * list. → per key: the TTL after (-1 = none), -2 = no such key, -3 = not a list.
 */
export const EXPIRE = `
local out = {}
for i, key in ipairs(KEYS) do
  local t = redis.call('TYPE', key)['ok']
  if t == 'none' then out[i] = -2
  elseif t ~= 'list' then out[i] = -3
  else
    if ARGV[1] == 'persist' then redis.call('PERSIST', key) else redis.call('EXPIRE', key, ARGV[1]) end
    out[i] = redis.call('TTL', key)
  end
end
return out
`;

/**
 * UNLINK each key only if it is still the list that was shown (and backed up):
 * same length and same newest element (SHA-1). A session the app wrote to
 * meanwhile is kept, so nothing is deleted that the user did not see.
 * ARGV: length1, sha1, length2, sha2, ... → per key: 1 deleted, 0 changed, -2 gone.
 */
export const UNLINK_IF_UNCHANGED = `
local out = {}
for i, key in ipairs(KEYS) do
  local n = redis.call('LLEN', key)
  if n == 0 then out[i] = -2
  else
    local head = redis.call('LINDEX', key, 0)
    if n == tonumber(ARGV[2 * i - 1]) and redis.sha1hex(head) == ARGV[2 * i] then
      redis.call('UNLINK', key)
      out[i] = 1
    else
      out[i] = 0
    end
  end
end
return out
`;

/** Decodes ARGV entries marked 'b' in ARGV[3] from base64 (bytes JSON cannot carry). */
const BASE64_DECODE = `${LUA_UNBASE64}
local function element(i)
  if string.sub(ARGV[3], i, i) == 'b' then return unb64(ARGV[3 + i]) end
  return ARGV[3 + i]
end
`;

/**
 * Restore one session. ARGV[1] mode: 'skip' (only if the key does not exist),
 * 'replace' (atomically swap in the exported list) or 'merge' (add the
 * elements not already there at the old end, in order); ARGV[2] ttl or '';
 * ARGV[3] one 't'/'b' flag per element; ARGV[4..] elements, newest first as
 * stored. Re-running it changes nothing further. A mode prefixed 'dry-' (the
 * dry run) answers the same status and writes nothing.
 * → {status, length, added}: status 1 written, 0 skipped (exists), -3 not a
 * list; added: elements pushed (the dry run does not count them: 0).
 */
export const IMPORT = `${BASE64_DECODE}
local key, mode, ttl = KEYS[1], ARGV[1], ARGV[2]
local dry = string.sub(mode, 1, 4) == 'dry-'
if dry then mode = string.sub(mode, 5) end
local t = redis.call('TYPE', key)['ok']
if t ~= 'none' and t ~= 'list' then return {-3, 0} end
if mode == 'skip' and t ~= 'none' then return {0, redis.call('LLEN', key), 0} end
if dry then return {1, redis.call('LLEN', key), 0} end
local count = #ARGV - 3
local added = 0
if mode == 'merge' and t == 'list' then
  local have = {}
  for _, v in ipairs(redis.call('LRANGE', key, 0, -1)) do have[v] = true end
  for i = 1, count do
    local e = element(i)
    if not have[e] then redis.call('RPUSH', key, e); have[e] = true; added = added + 1 end
  end
else
  if mode == 'replace' then redis.call('DEL', key) end
  for i = 1, count do redis.call('RPUSH', key, element(i)) end
  added = count
end
if ttl ~= '' then redis.call('EXPIRE', key, ttl) end
return {1, redis.call('LLEN', key), added}
`;

/** digest(count): SHA-1 over the SHA-1s of the oldest `count` elements of `key` (as src/summarize/compact.ts's tailDigest). */
const TAIL_DIGEST = `
local function digest(count)
  if count == 0 then return redis.sha1hex('') end
  local els = redis.call('LRANGE', key, -count, -1)
  if #els ~= count then return '' end
  local h = {}
  for i, e in ipairs(els) do h[i] = redis.sha1hex(e) end
  return redis.sha1hex(table.concat(h, ''))
end
`;

/**
 * Repair one session in place, anchored at the tail: the list grows at its
 * head, so the N elements that were read are the oldest N, whatever the app
 * LPUSHed since. Only if they are still exactly what was read (ARGV[2], SHA-1
 * over their SHA-1s, as summarize's compaction checks) does it LSET each
 * changed position (counted from the tail) to its replacement, or to the
 * one-off tombstone ARGV[5] that a single LREM then takes out. If instead the
 * oldest M elements already are the repaired ones (ARGV[4]), an earlier run
 * whose answer was lost did it: nothing is applied twice.
 * ARGV: N, digest before, M, digest after, tombstone, flags ('r' remove /
 * 'u' unwrap, one per change), then per change: index from the tail,
 * replacement ('' for a removal).
 * → {status, length}: 1 repaired, 2 already repaired, 0 changed since it was read.
 */
export const REPAIR = `
local key, n, before, m, after, tomb, flags = KEYS[1], tonumber(ARGV[1]), ARGV[2], tonumber(ARGV[3]), ARGV[4], ARGV[5], ARGV[6]
${TAIL_DIGEST}local len = redis.call('LLEN', key)
if len >= n and digest(n) == before then
  local removed = false
  for j = 1, #flags do
    local at = tonumber(ARGV[5 + 2 * j])
    if string.sub(flags, j, j) == 'r' then
      redis.call('LSET', key, at, tomb)
      removed = true
    else
      redis.call('LSET', key, at, ARGV[6 + 2 * j])
    end
  end
  if removed then redis.call('LREM', key, 0, tomb) end
  return {1, redis.call('LLEN', key)}
end
if len >= m and digest(m) == after then return {2, len} end
return {0, len}
`;

/**
 * Trim one session: drop its oldest elements, anchored at the tail like
 * REPAIR. Only if the oldest N elements are still exactly what was read
 * (ARGV[2], SHA-1 over their SHA-1s) does it drop ARGV[5] of them from the old
 * end, after the oldest one when ARGV[6] is '1' (a leading system message or
 * summary that stays first); what the app LPUSHed since is at the head and is
 * never touched. If instead the oldest M elements already are what the trim
 * leaves (ARGV[4]), an earlier run whose answer was lost did it. A list that
 * loses every element is deleted by Redis; the TTL of a recreated one is put back.
 * ARGV: N, digest before, M, digest after, drop, keep oldest.
 * → {status, length}: 1 trimmed, 2 already trimmed, 0 changed since it was read.
 */
export const TRIM = `
local key, n, before, m, after, drop, lead = KEYS[1], tonumber(ARGV[1]), ARGV[2], tonumber(ARGV[3]), ARGV[4], tonumber(ARGV[5]), ARGV[6] == '1'
${TAIL_DIGEST}local len = redis.call('LLEN', key)
if len >= n and digest(n) == before then
  local pttl = redis.call('PTTL', key)
  if lead then
    local oldest = redis.call('LINDEX', key, -1)
    redis.call('LTRIM', key, 0, -(drop + 2))
    redis.call('RPUSH', key, oldest)
  else
    redis.call('LTRIM', key, 0, -(drop + 1))
  end
  if pttl > 0 and redis.call('PTTL', key) == -1 then redis.call('PEXPIRE', key, pttl) end
  return {1, redis.call('LLEN', key)}
end
if m > 0 and len >= m and digest(m) == after then return {2, len} end
if m == 0 and len < n then return {2, len} end
return {0, len}
`;
