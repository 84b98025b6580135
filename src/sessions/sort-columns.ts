// What sorting a listing keeps of each session, compactly: at a million
// sessions a JS string, an object or a boxed number per session is what fills
// the heap (and keeps the collector busy). Keys are held as their UTF-16 code
// units in one growing pool, one byte per unit while every unit fits in one
// (almost always: ids are ASCII), two once one does not; counts, TTLs and the
// offsets into the pool sit in typed arrays. A million sessions of 17-character
// ids take about 37 MB. Keys become strings again only when emitted.
import type { SessionMeta } from "./scan.js";
import type { KeySpace } from "./keys.js";

export const SORT_FIELDS = ["name", "count", "ttl"] as const;
export type SortField = (typeof SORT_FIELDS)[number];

type Units = Uint8Array | Uint16Array;

/** Doubles `a` (or to at least `min`), keeping what it holds. */
function grow<A extends Units | Uint32Array | Float64Array>(a: A, min: number): A {
  const next = new (a.constructor as new (n: number) => A)(Math.max(min, a.length * 2));
  next.set(a);
  return next;
}

export class SortColumns {
  private units: Units = new Uint8Array(1 << 16);
  private used = 0;
  /** Session i's key is units[starts[i] .. starts[i + 1]). */
  private starts = new Uint32Array(1 << 12);
  private counts = new Uint32Array(1 << 12);
  /** Seconds; -1: never expires. */
  private ttls = new Float64Array(1 << 12);
  private n = 0;

  get size(): number {
    return this.n;
  }

  add(m: Pick<SessionMeta, "key" | "count" | "ttlSeconds">): void {
    const key = m.key;
    if (this.n + 2 > this.starts.length) {
      this.starts = grow(this.starts, this.n + 2);
      this.counts = grow(this.counts, this.n + 2);
      this.ttls = grow(this.ttls, this.n + 2);
    }
    if (this.used + key.length > this.units.length) this.units = grow(this.units, this.used + key.length);
    let units = this.units;
    for (let i = 0; i < key.length; i++) {
      const c = key.charCodeAt(i);
      if (c > 0xff && units instanceof Uint8Array) units = this.units = Uint16Array.from(units);
      units[this.used + i] = c;
    }
    this.used += key.length;
    this.counts[this.n] = m.count;
    this.ttls[this.n] = m.ttlSeconds ?? -1;
    this.n++;
    this.starts[this.n] = this.used;
  }

  /** Session i's key, as the scan gave it. */
  key(i: number): string {
    const { units, starts } = this;
    const from = starts[i];
    const bytes = units.BYTES_PER_ELEMENT;
    const view = Buffer.from(units.buffer, units.byteOffset + from * bytes, (starts[i + 1] - from) * bytes);
    return view.toString(bytes === 1 ? "latin1" : "utf16le");
  }

  /** Keys compared as JS strings compare (by UTF-16 code unit). */
  compareKeys(a: number, b: number): number {
    const { units, starts } = this;
    let i = starts[a];
    let j = starts[b];
    const ei = starts[a + 1];
    const ej = starts[b + 1];
    for (; i < ei && j < ej; i++, j++) {
      const d = units[i] - units[j];
      if (d !== 0) return d;
    }
    return ei - i - (ej - j);
  }

  /** Row numbers in the order asked for. */
  order(field: SortField): Uint32Array {
    const { counts, ttls } = this;
    const rows = new Uint32Array(this.n);
    for (let i = 0; i < rows.length; i++) rows[i] = i;
    // Keys share the prefix, so they sort as their session ids do.
    const byName = (a: number, b: number) => this.compareKeys(a, b);
    const ttl = (i: number) => (ttls[i] < 0 ? Number.POSITIVE_INFINITY : ttls[i]);
    const compare: Record<SortField, (a: number, b: number) => number> = {
      name: byName,
      count: (a, b) => counts[b] - counts[a] || byName(a, b),
      // Soonest to expire first; sessions that never expire last.
      ttl: (a, b) => ttl(a) - ttl(b) || byName(a, b),
    };
    return rows.sort(compare[field]);
  }

  meta(i: number, keySpace: KeySpace): SessionMeta {
    const key = this.key(i);
    return {
      sessionId: keySpace.sessionId(key),
      key,
      count: this.counts[i],
      ttlSeconds: this.ttls[i] < 0 ? null : this.ttls[i],
    };
  }
}
