// Peak memory of long scans. A scan allocates a page of replies per request
// and drops it a moment later. V8 answers that allocation rate by growing its
// young generation up to 2 × 16 MB, and lets the old generation grow up to
// four times what is live before collecting it: most of that memory holds
// garbage. Two limits, set when a scan starts, keep `sessions list` or
// `export` over 100,000 sessions tens of megabytes smaller for a few percent
// more CPU: the young generation stays at its initial size (a page dies young
// either way), and the old generation is collected when it has doubled.
// One-request commands never load node:v8 nor change anything.
let applied = false;

export async function boundHeapGrowth(): Promise<void> {
  if (applied) return;
  applied = true;
  const v8 = await import("node:v8");
  // Both are read by V8 each time it decides to grow; they change nothing else.
  v8.setFlagsFromString("--semi-space-growth-factor=1");
  v8.setFlagsFromString("--heap-growing-percent=100");
}
