// The least a Node script can do to read one chat history: start node, send
// one request, print the reply. A baseline for the CLI's one-request commands.
//   node bench/one-request.mjs http  REST_URL TOKEN KEY   node:http, POST /pipeline
//   node bench/one-request.mjs fetch REST_URL TOKEN KEY   the global fetch, POST /pipeline
//   node bench/one-request.mjs ioredis REDIS_URL - KEY    ioredis: load it, connect, LRANGE, quit
const [mode, url, token, key] = process.argv.slice(2);
const body = JSON.stringify([["LRANGE", key, "0", "-1"]]);
const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };

if (mode === "http") {
  const http = await import("node:http");
  const text = await new Promise((resolve, reject) => {
    const req = http.request(`${url}/pipeline`, { method: "POST", headers }, (res) => {
      let t = "";
      res.setEncoding("utf8");
      res.on("data", (c) => (t += c));
      res.on("end", () => resolve(t));
    });
    req.on("error", reject);
    req.end(body);
  });
  process.stdout.write(`${text}\n`);
} else if (mode === "fetch") {
  const res = await fetch(`${url}/pipeline`, { method: "POST", headers, body });
  process.stdout.write(`${await res.text()}\n`);
} else if (mode === "ioredis") {
  const { Redis } = await import("ioredis");
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  process.stdout.write(`${JSON.stringify(await redis.lrange(key, 0, -1))}\n`);
  await redis.quit();
} else {
  throw new Error(`unknown mode ${mode}`);
}
