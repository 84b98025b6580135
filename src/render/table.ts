// Box-drawn tables for a terminal (cli-table3, loaded only when one is drawn).
// Cells arrive already sanitised (and possibly coloured) by the caller.

export interface TableSpec {
  head: string[];
  rows: string[][];
  /** Column widths; the last column takes what is left of `totalWidth`. */
  widths: number[];
  totalWidth: number;
}

export async function drawTable(spec: TableSpec): Promise<string> {
  const { default: Table } = await import("cli-table3");
  const fixed = spec.widths.slice(0, -1);
  const used = fixed.reduce((a, b) => a + b, 0) + spec.widths.length + 1;
  const last = Math.max(spec.totalWidth - used, 12);
  const table = new Table({
    head: spec.head,
    colWidths: [...fixed, last],
    wordWrap: true,
    wrapOnWordBoundary: true,
    style: { head: [], border: [] },
    // No rule between rows: long conversations stay readable.
    chars: { mid: "", "left-mid": "", "mid-mid": "", "right-mid": "" },
  });
  for (const row of spec.rows) table.push(row);
  return table.toString();
}
