// The one table printer, as `gh` prints tables on a terminal: one line per
// row, no borders, columns two spaces apart and sized to the terminal; when a
// row does not fit, the flexible column (e.g. the newest message) is cut with
// `…` by display width (CJK and emoji take two columns, ANSI styling none).
// Piped output never comes here: callers write tab-separated lines instead.
import type { Output, Style } from "./output.js";
import { textWidth } from "../text/text-width.js";

export interface Column {
  header: string;
  /** Takes what the other columns leave, and is cut first when a row is too wide. */
  flex?: boolean;
  align?: "left" | "right";
  /** Cut last, and then in the middle (an id: both ends tell ids apart). */
  keep?: boolean;
}

/** Plain text with an optional style, so widths are measured without escape codes. */
export interface Segment {
  text: string;
  style?: Style;
}

/** A cell: sanitised one-line text, or styled segments (e.g. a coloured role, then text). */
export type Cell = string | Segment[];

export interface TableSpec {
  columns: Column[];
  rows: Cell[][];
  /** Style for the header row (e.g. dim). */
  headerStyle?: Style;
}

const GAP = "  ";
const MIN_FLEX = 10;

/**
 * Column widths for a terminal `total` columns wide, as `gh` fits them:
 * natural widths when they fit; otherwise the flexible column (the newest
 * message) shrinks, then goes (width 0: not shown); then the others' headers
 * are cut down to their data; only then do the kept columns (ids) shrink;
 * last, anything down to 4.
 */
export function fitColumns(
  natural: number[],
  flex: boolean[],
  total: number,
  headers: number[],
  keep: boolean[] = [],
  data: number[] = natural,
): number[] {
  const widths = [...natural];
  const available = total - GAP.length * (widths.length - 1);
  let excess = widths.reduce((a, b) => a + b, 0) - available;
  if (excess <= 0) return widths;
  for (let i = 0; i < widths.length && excess > 0; i++) {
    if (!flex[i]) continue;
    const cut = Math.min(excess, widths[i] - Math.min(widths[i], Math.max(MIN_FLEX, headers[i])));
    widths[i] -= cut;
    excess -= cut;
  }
  // The flexible column goes entirely (with its gap) before anything else is cut.
  for (let i = 0; i < widths.length && excess > 0; i++) {
    if (!flex[i] || widths.filter((w) => w > 0).length < 2) continue;
    excess -= widths[i] + GAP.length;
    widths[i] = 0;
  }
  const shave = (may: (i: number) => boolean, floorOf: (i: number) => number) => {
    while (excess > 0) {
      let widest = -1;
      for (let i = 0; i < widths.length; i++)
        if (may(i) && widths[i] > floorOf(i) && (widest < 0 || widths[i] > widths[widest])) widest = i;
      if (widest < 0) break;
      widths[widest]--;
      excess--;
    }
  };
  shave(
    (i) => !keep[i] && widths[i] > 0,
    (i) => Math.max(data[i], 4),
  );
  shave(
    (i) => Boolean(keep[i]),
    () => 4,
  );
  shave(
    (i) => widths[i] > 0,
    () => 4,
  );
  return widths;
}

/**
 * One cell as segments of at most `limit` UTF-16 units: a text far longer than
 * the terminal is cut first (and marked, so it still ends in `…`), so a long
 * message costs no more to measure than a short one.
 */
function segmentsOf(cell: Cell, limit: number): Segment[] {
  const segs = typeof cell === "string" ? [{ text: cell }] : cell;
  return segs.map((g) => (g.text.length > limit ? { ...g, text: g.text.slice(0, limit), cut: true } : g));
}

/** The table as lines, each at most `total` columns wide. */
export async function tableLines(spec: TableSpec, total: number): Promise<string[]> {
  const tw = await textWidth();
  const limit = Math.max(total, 1) * 2 + 2;
  const headers = spec.columns.map((c) => c.header.toUpperCase());
  const rows = spec.rows.map((r) => r.map((cell) => segmentsOf(cell, limit)));
  const widthsOf = rows.map((r) => r.map((segs) => segs.map((g) => tw.width(g.text))));
  const cellWidth = (ws: number[]) => ws.reduce((a, b) => a + b, 0);
  const data = headers.map((_, i) => widthsOf.reduce((m, r) => Math.max(m, cellWidth(r[i] ?? [])), 0));
  const natural = headers.map((h, i) => Math.max(data[i], h.length));
  const widths = fitColumns(
    natural,
    spec.columns.map((c) => Boolean(c.flex)),
    total,
    headers.map((h) => h.length),
    spec.columns.map((c) => Boolean(c.keep)),
    data,
  );
  // A column given no room (the flexible one on a very narrow terminal) is not shown.
  const shown = widths.map((w, i) => (w > 0 ? i : -1)).filter((i) => i >= 0);
  const last = shown[shown.length - 1];
  const render = (segs: (Segment & { cut?: boolean })[], ws: number[], i: number): string => {
    let room = widths[i];
    let text = "";
    for (let k = 0; k < segs.length; k++) {
      const g = segs[k];
      let t = g.text;
      let w = ws[k];
      // Cut here when this segment does not fit, or when it was shortened above.
      if (w > room || (g.cut && w >= room)) {
        t = spec.columns[i].keep ? tw.truncateMiddle(t, room) : tw.truncate(t, room);
        w = tw.width(t);
      } else if (g.cut) {
        t += "…";
        w += 1;
      }
      text += g.style ? g.style(t) : t;
      room -= w;
      if (t !== g.text) break;
    }
    const pad = " ".repeat(Math.max(room, 0));
    if (spec.columns[i].align === "right") return pad + text;
    return i === last ? text : text + pad;
  };
  const lineOf = (segs: Segment[][], ws: number[][]) =>
    shown
      .map((i) => render(segs[i], ws[i], i))
      .join(GAP)
      .replace(/ +$/, "");
  const headerSegs = headers.map((h) => [{ text: h }]);
  const head = lineOf(
    headerSegs,
    headers.map((h) => [h.length]),
  );
  const lines = [spec.headerStyle ? spec.headerStyle(head) : head];
  for (const [i, r] of rows.entries()) lines.push(lineOf(r, widthsOf[i]));
  return lines;
}

/** Prints a table to the terminal in large writes (thousands of rows stay fast). */
export async function printTable(out: Output, spec: TableSpec): Promise<void> {
  await out.lines(await tableLines(spec, out.columns));
}
