// Peak memory of long scans. A scan allocates a page of replies per request
// and drops it a moment later. V8 lets the old generation grow up to four
// times what is live before collecting it, so most of that memory would hold
// garbage. One limit, set when a scan starts, keeps `sessions list` or
// `export` over a million sessions under 120 MB: the old generation is
// collected once it has grown by 30%. The young generation is left to grow
// (to 3 × 16 MB): keeping it at its initial 1 MB, as this once did, promoted
// every page in flight to the old generation and spent half of the CPU of a
// listing in the garbage collector.
// One-request commands never load node:v8 nor change anything.
let applied = false;

export async function boundHeapGrowth(): Promise<void> {
  if (applied) return;
  applied = true;
  const v8 = await import("node:v8");
  // Read by V8 each time it decides to grow; it changes nothing else.
  v8.setFlagsFromString("--heap-growing-percent=30");
}
