// Preloaded with `node -r` into a CLI run: at exit, writes the list of Node's
// built-in modules the process loaded to $UPSTASH_MEMORY_BUILTINS_TRACE.
// Unlike module-trace.mjs (loader hooks on a worker thread), it loads nothing
// itself, so the list is exactly the CLI's.
"use strict";
process.on("exit", () => {
  require("node:fs").writeFileSync(process.env.UPSTASH_MEMORY_BUILTINS_TRACE, JSON.stringify(process.moduleLoadList));
});
