// Peak memory of long scans and long histories. A scan allocates a page of
// replies per request and drops it a moment later. V8 lets the old generation
// grow up to four times what is live before collecting it, so most of that
// memory would hold garbage: the old generation is collected once it has grown
// by 30%. The young generation grows by doubling, up to two semi-spaces of
// 16 MB, whenever enough survives its collections, which a long scan always
// does: it is let grow to 8 MB semi-spaces, then no further. Kept at its initial
// 1 MB, as this once did, it promoted every page in flight to the old
// generation and spent half of the CPU of a listing in the garbage collector;
// 8 MB costs no more time than 16 MB and keeps `sessions list` or `export`
// over a million sessions well under 120 MB. Its maximum cannot change once
// V8 runs, but how much it grows by is read at each growth: 1 stops it.
// One-request commands never load node:v8 nor change anything.
type V8 = typeof import("node:v8");

let v8: V8 | undefined;
let youngBound = false;

/** The size of one young-generation semi-space a long read settles at. */
const SEMI_SPACE_MB = 8;

export async function boundHeapGrowth(): Promise<void> {
  if (v8) return;
  v8 = await import("node:v8");
  // Read by V8 each time it decides to grow; it changes nothing else.
  v8.setFlagsFromString("--heap-growing-percent=30");
  boundYoungGeneration();
}

/**
 * Called once per page of a long read (cheap: a few small objects): lets the
 * young generation reach its bound in one growth, then stops it there.
 */
export function boundYoungGeneration(): void {
  if (!v8 || youngBound) return;
  const young = v8.getHeapSpaceStatistics().find((s) => s.space_name === "new_space");
  if (!young) return;
  // Capacity of one semi-space, a little under its nominal size (page headers).
  const semiMB = (young.space_used_size + young.space_available_size) / 1048576;
  if (semiMB >= SEMI_SPACE_MB * 0.9) {
    v8.setFlagsFromString("--semi-space-growth-factor=1");
    youngBound = true;
  } else {
    v8.setFlagsFromString(`--semi-space-growth-factor=${Math.max(2, Math.round(SEMI_SPACE_MB / Math.max(semiMB, 1)))}`);
  }
}
