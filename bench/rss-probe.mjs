// Loaded with `node --import bench/rss-probe.mjs ...` when GNU time is not
// installed: writes the process's peak RSS (KiB, as GNU time's %M) to the file
// named by BENCH_RSS_FILE when the process exits.
import { writeFileSync } from "node:fs";

const file = process.env.BENCH_RSS_FILE;
if (file) {
  process.on("exit", () => {
    try {
      writeFileSync(file, `${process.resourceUsage().maxRSS}\n`);
    } catch {}
  });
}
