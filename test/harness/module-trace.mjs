// Loaded with `node --import` (NODE_OPTIONS) into a CLI run: when the process
// exits, writes what it loaded to $UPSTASH_MEMORY_MODULE_TRACE as JSON:
// { esm: [file URLs], cjs: [paths], builtins: [Node's internal module list] }.
import { register, createRequire } from "node:module";
import { writeFileSync } from "node:fs";
import { MessageChannel } from "node:worker_threads";

const file = process.env.UPSTASH_MEMORY_MODULE_TRACE;
if (file) {
  const esm = [];
  const { port1, port2 } = new MessageChannel();
  port1.on("message", (url) => esm.push(url));
  port1.unref();
  register("./module-trace-hooks.mjs", import.meta.url, { data: { port: port2 }, transferList: [port2] });
  const cache = createRequire(import.meta.url).cache;
  process.on("exit", () => {
    writeFileSync(file, JSON.stringify({ esm, cjs: Object.keys(cache), builtins: process.moduleLoadList }));
  });
}
