// Runs one local REST endpoint per Redis URL in a process of its own, so the
// endpoint does not share a CPU thread with the benchmark's clients.
//   node bench/endpoint-process.mjs '{"token":"t","redisUrls":["redis://127.0.0.1:6390/1"],"dist":"/path/to/dist"}'
// Prints one JSON line {"urls":[...]} when listening; stops on SIGTERM/SIGINT
// or when its stdin closes (the parent went away).
import path from "node:path";
import { pathToFileURL } from "node:url";

const cfg = JSON.parse(process.argv[2] ?? "{}");
// `dist`: the built code to load (bench/run.mjs passes its snapshot of dist/).
const dist = cfg.dist ?? new URL("../dist", import.meta.url).pathname;
const { startEndpoint } = await import(pathToFileURL(path.join(dist, "src", "dev", "server.js")).href);
const endpoints = [];
let stopping = false;

async function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  await Promise.allSettled(endpoints.map((e) => e.close()));
  process.exit(code);
}

process.on("SIGTERM", () => stop(0));
process.on("SIGINT", () => stop(0));
process.stdin.on("end", () => stop(0));
process.stdin.on("error", () => stop(0));
process.stdin.resume();

try {
  for (const redisUrl of cfg.redisUrls ?? []) {
    endpoints.push(await startEndpoint({ redisUrl, token: cfg.token, port: 0 }));
  }
  process.stdout.write(`${JSON.stringify({ urls: endpoints.map((e) => e.url) })}\n`);
} catch (err) {
  process.stderr.write(`endpoint-process: ${err?.message ?? err}\n`);
  await stop(1);
}
