// The compact records a sorted listing keeps: every key comes back exactly as
// given (non-ASCII, astral, and bytes that are not UTF-8 alike), and every
// order is the one plain JS strings and numbers give.
import { describe, expect, it } from "vitest";
import { SortColumns, SORT_FIELDS, type SortField } from "../../src/sessions/sort-columns.js";
import { textFromBytes } from "../../src/text/bytes.js";

/** A deterministic pseudo-random stream, so a failure can be replayed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const ALPHABET = ["a", "b", "Z", "0", ":", "-", "é", "ÿ", "ß", "日", "本", "😀", "\ue000", "\uffff", "\u0100"];

type Row = { key: string; count: number; ttlSeconds: number | null };

function rows(n: number, rnd: () => number, alphabet: string[]): Row[] {
  const out: Row[] = [];
  for (let i = 0; i < n; i++) {
    let key = "s:";
    const len = Math.floor(rnd() * 6);
    for (let j = 0; j < len; j++) key += alphabet[Math.floor(rnd() * alphabet.length)];
    if (rnd() < 0.05) key += textFromBytes(Buffer.from([0xff, 0x80])); // bytes that are not UTF-8
    out.push({
      key,
      count: 1 + Math.floor(rnd() * 4),
      ttlSeconds: rnd() < 0.4 ? null : Math.floor(rnd() * 5) * 2_000_000_000,
    });
  }
  return out;
}

/** The order rules, on plain strings and numbers. */
function reference(all: Row[], field: SortField): number[] {
  const byName = (a: number, b: number) => (all[a].key < all[b].key ? -1 : all[a].key > all[b].key ? 1 : 0);
  const ttl = (i: number) => all[i].ttlSeconds ?? Number.POSITIVE_INFINITY;
  const cmp = {
    name: byName,
    count: (a: number, b: number) => all[b].count - all[a].count || byName(a, b),
    ttl: (a: number, b: number) => ttl(a) - ttl(b) || byName(a, b),
  }[field];
  const idx = all.map((_, i) => i);
  // Equal keys may sit in either order: compare keys, not row numbers, below.
  return idx.sort(cmp);
}

const keySpace = { sessionId: (k: string) => k.slice(2) } as never;

describe("SortColumns", () => {
  it("gives every key back exactly, ASCII-only and once a wide character arrives", () => {
    const c = new SortColumns();
    const keys = [
      "s:plain",
      "s:é-latin1",
      `s:${textFromBytes(Buffer.from([0x62, 0xff, 0x6b]))}`,
      "s:日本",
      "s:😀",
      "s:",
    ];
    for (const key of keys) c.add({ key, count: 1, ttlSeconds: null });
    expect(keys.map((_, i) => c.key(i))).toEqual(keys);
    expect(c.meta(2, keySpace)).toEqual({ sessionId: keys[2].slice(2), key: keys[2], count: 1, ttlSeconds: null });
  });

  for (const [name, alphabet] of [
    ["ASCII ids", ALPHABET.slice(0, 6)],
    ["ids in any script", ALPHABET],
  ] as const) {
    it(`sorts ${name} by name, count and TTL as plain strings and numbers do (20,000 rows, past every growth)`, () => {
      const all = rows(20_000, random(name.length), [...alphabet]);
      const c = new SortColumns();
      for (const r of all) c.add(r);
      expect(c.size).toBe(all.length);
      for (const field of SORT_FIELDS) {
        const got = Array.from(c.order(field), (i) => c.meta(i, keySpace));
        const want = reference(all, field).map((i) => all[i]);
        expect(got.map((m) => [m.key, m.count, m.ttlSeconds])).toEqual(want.map((r) => [r.key, r.count, r.ttlSeconds]));
      }
    });
  }

  it("keeps TTLs beyond 32 bits and counts of big lists", () => {
    const c = new SortColumns();
    c.add({ key: "s:a", count: 4_000_000_000, ttlSeconds: 9_000_000_000 });
    c.add({ key: "s:b", count: 0, ttlSeconds: 0 });
    expect(c.meta(0, keySpace)).toMatchObject({ count: 4_000_000_000, ttlSeconds: 9_000_000_000 });
    expect(c.meta(1, keySpace)).toMatchObject({ count: 0, ttlSeconds: 0 });
    expect(Array.from(c.order("ttl"))).toEqual([1, 0]);
  });
});
