// Hash slots: which of a Redis Cluster's 16384 slots a key lives in, and
// which arguments of a command are keys. Both as ioredis's own Command works
// them out when it routes (its command table, its CRC16), so this tool and an
// app on ioredis agree on where a key lives.
import { Command } from "ioredis";
import type { Cmd } from "./types.js";
import { bytesFromText, hasEscapedBytes } from "../text/bytes.js";

export const SLOTS = 16384;

/** A key's bytes (a key that is not UTF-8 travels as a string with escaped bytes: bytes.ts). */
function keyBytes(key: string | Buffer): string | Buffer {
  return typeof key === "string" && hasEscapedBytes(key) ? bytesFromText(key) : key;
}

/** A key's slot. */
export function slotOf(key: string | Buffer): number {
  return new Command("exists", [keyBytes(key)]).getSlot()!;
}

/** The key arguments of a command (none for PING, SCAN, DBSIZE, or one ioredis does not know). */
export function keysOf(cmd: Cmd): (string | Buffer)[] {
  const [name, ...args] = cmd;
  return new Command(
    String(name).toLowerCase(),
    args.map((a) => (typeof a === "number" ? String(a) : keyBytes(a))),
  ).getKeys() as (string | Buffer)[];
}

/** The one slot all keys of a command are in; undefined when keyless; null when they span slots. */
export function slotOfCommand(cmd: Cmd): number | undefined | null {
  let slot: number | undefined;
  for (const k of keysOf(cmd)) {
    const s = slotOf(k);
    if (slot === undefined) slot = s;
    else if (s !== slot) return null;
  }
  return slot;
}

/** Keys grouped by slot, each group in the order given. */
export function groupBySlot(keys: string[]): string[][] {
  const groups = new Map<number, string[]>();
  for (const k of keys) {
    const s = slotOf(k);
    const g = groups.get(s);
    if (g) g.push(k);
    else groups.set(s, [k]);
  }
  return [...groups.values()];
}

/** "0-5460, 10923" from sorted slot numbers. */
export function slotRanges(slots: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < slots.length; ) {
    let j = i;
    while (j + 1 < slots.length && slots[j + 1] === slots[j] + 1) j++;
    parts.push(i === j ? String(slots[i]) : `${slots[i]}-${slots[j]}`);
    i = j + 1;
  }
  return parts.join(", ");
}
