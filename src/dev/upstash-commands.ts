// The commands Upstash documents for its Redis API, as data. The endpoint runs
// these and nothing else: a command missing here is unknown to it, even when the
// Redis behind it has one of that name (an allowlist, so a command Redis adds
// later, or one Upstash never offered, is never let through by accident).
//
// Source: github.com/upstash/docs at commit ef0ce4387f72 (2026-08-21): the
// command cards of redis/commands/<group>/overview.mdx, one entry per card.
// "NAME SUB" is a subcommand of a container command. XGROUP and PUBSUB are one
// card each; their subcommands are those in the syntax blocks of xgroup.mdx and
// pubsub.mdx. COMMAND is documented with no arguments.
//
// Documented is not the same as allowed here: the endpoint still refuses what
// would block, or change the state of, a connection other requests share, and
// what administers the server (see policy.ts). JSON.* and SEARCH.* are Upstash's
// own modules; against a plain redis-server they are unknown commands.
export const UPSTASH_COMMANDS: readonly string[] = [
  // bitmap
  "BITCOUNT", "BITFIELD", "BITFIELD_RO", "BITOP", "BITPOS", "GETBIT", "SETBIT",
  // connection
  "AUTH", "CLIENT GETNAME", "CLIENT ID", "CLIENT INFO", "CLIENT LIST", "CLIENT SETINFO", "CLIENT SETNAME",
  "ECHO", "HELLO", "PING", "QUIT", "RESET", "SELECT",
  // functions
  "FCALL", "FCALL_RO", "FUNCTION DELETE", "FUNCTION FLUSH", "FUNCTION KILL", "FUNCTION LIST", "FUNCTION LOAD",
  "FUNCTION STATS",
  // generic
  "COPY", "DEL", "DUMP", "EXISTS", "EXPIRE", "EXPIREAT", "EXPIRETIME", "KEYS", "MEMORY USAGE", "PERSIST",
  "PEXPIRE", "PEXPIREAT", "PEXPIRETIME", "PTTL", "RANDOMKEY", "RENAME", "RENAMENX", "RESTORE", "SCAN", "TOUCH",
  "TTL", "TYPE", "UNLINK", "WAIT", "WAITAOF",
  // geo
  "GEOADD", "GEODIST", "GEOHASH", "GEOPOS", "GEORADIUS", "GEORADIUS_RO", "GEORADIUSBYMEMBER",
  "GEORADIUSBYMEMBER_RO", "GEOSEARCH", "GEOSEARCHSTORE",
  // hash
  "HDEL", "HEXISTS", "HEXPIRE", "HEXPIREAT", "HEXPIRETIME", "HGET", "HGETALL", "HGETDEL", "HGETEX", "HINCRBY",
  "HINCRBYFLOAT", "HKEYS", "HLEN", "HMGET", "HMSET", "HPERSIST", "HPEXPIRE", "HPEXPIREAT", "HPEXPIRETIME",
  "HPTTL", "HRANDFIELD", "HSCAN", "HSET", "HSETEX", "HSETNX", "HSTRLEN", "HTTL", "HVALS",
  // hyperloglog
  "PFADD", "PFCOUNT", "PFMERGE",
  // json
  "JSON.ARRAPPEND", "JSON.ARRINDEX", "JSON.ARRINSERT", "JSON.ARRLEN", "JSON.ARRPOP", "JSON.ARRTRIM",
  "JSON.CLEAR", "JSON.DEL", "JSON.DEBUG", "JSON.FORGET", "JSON.GET", "JSON.MERGE", "JSON.MGET", "JSON.MSET",
  "JSON.NUMINCRBY", "JSON.NUMMULTBY", "JSON.OBJKEYS", "JSON.OBJLEN", "JSON.RESP", "JSON.SET", "JSON.STRAPPEND",
  "JSON.STRLEN", "JSON.TOGGLE", "JSON.TYPE",
  // list
  "BLMOVE", "BLMPOP", "BLPOP", "BRPOP", "BRPOPLPUSH", "LINDEX", "LINSERT", "LLEN", "LMOVE", "LMPOP", "LPOP",
  "LPOS", "LPUSH", "LPUSHX", "LRANGE", "LREM", "LSET", "LTRIM", "RPOP", "RPOPLPUSH", "RPUSH", "RPUSHX",
  // pub/sub
  "PSUBSCRIBE", "PUBLISH", "PUBSUB CHANNELS", "PUBSUB NUMSUB", "PUBSUB NUMPAT", "PUNSUBSCRIBE", "SUBSCRIBE",
  "UNSUBSCRIBE",
  // scripting
  "EVAL", "EVAL_RO", "EVALSHA", "EVALSHA_RO", "SCRIPT EXISTS", "SCRIPT FLUSH", "SCRIPT KILL", "SCRIPT LOAD",
  // search
  "SEARCH.CREATE", "SEARCH.REINDEX", "SEARCH.DROP", "SEARCH.DESCRIBE", "SEARCH.WAITINDEXING",
  "SEARCH.LISTINDEXES", "SEARCH.QUERY", "SEARCH.COUNT", "SEARCH.AGGREGATE", "SEARCH.ALIASADD",
  "SEARCH.ALIASDEL", "SEARCH.LISTALIASES",
  // server
  "ACL CAT", "ACL DELUSER", "ACL GENPASS", "ACL GENTOKEN", "ACL GETUSER", "ACL LIST", "ACL LOAD", "ACL LOG",
  "ACL RESTTOKEN", "ACL SAVE", "ACL SETUSER", "ACL USERS", "ACL WHOAMI", "COMMAND", "CONFIG GET", "CONFIG SET",
  "DBSIZE", "FLUSHALL", "FLUSHDB", "INFO", "MONITOR", "TIME",
  // set
  "SADD", "SCARD", "SDIFF", "SDIFFSTORE", "SINTER", "SINTERCARD", "SINTERSTORE", "SISMEMBER", "SMEMBERS",
  "SMISMEMBER", "SMOVE", "SPOP", "SRANDMEMBER", "SREM", "SSCAN", "SUNION", "SUNIONSTORE",
  // sorted set
  "BZMPOP", "BZPOPMAX", "BZPOPMIN", "ZADD", "ZCARD", "ZCOUNT", "ZDIFF", "ZDIFFSTORE", "ZINCRBY", "ZINTER",
  "ZINTERCARD", "ZINTERSTORE", "ZLEXCOUNT", "ZMPOP", "ZMSCORE", "ZPOPMAX", "ZPOPMIN", "ZRANDMEMBER", "ZRANGE",
  "ZRANGEBYLEX", "ZRANGEBYSCORE", "ZRANGESTORE", "ZRANK", "ZREM", "ZREMRANGEBYLEX", "ZREMRANGEBYRANK",
  "ZREMRANGEBYSCORE", "ZREVRANGE", "ZREVRANGEBYLEX", "ZREVRANGEBYSCORE", "ZREVRANK", "ZSCAN", "ZSCORE",
  "ZUNION", "ZUNIONSTORE",
  // streams
  "XACK", "XACKDEL", "XADD", "XAUTOCLAIM", "XCLAIM", "XDEL", "XDELEX", "XGROUP CREATE", "XGROUP CREATECONSUMER",
  "XGROUP DELCONSUMER", "XGROUP DESTROY", "XGROUP SETID", "XINFO CONSUMERS", "XINFO GROUPS", "XINFO STREAM",
  "XLEN", "XPENDING", "XRANGE", "XREAD", "XREADGROUP", "XREVRANGE", "XTRIM",
  // string
  "APPEND", "DECR", "DECRBY", "DELEX", "DIGEST", "GET", "GETDEL", "GETEX", "GETRANGE", "GETSET", "INCR", "INCRBY",
  "INCRBYFLOAT", "MGET", "MSET", "MSETNX", "PSETEX", "SET", "SETEX", "SETNX", "SETRANGE", "STRLEN",
  // transactions
  "DISCARD", "EXEC", "MULTI", "UNWATCH", "WATCH",
];
