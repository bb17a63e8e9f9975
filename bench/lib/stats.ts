/** Small statistics and formatting helpers for the benchmark report. */

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** Nearest-rank percentile; `NaN` for no values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

export const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
export const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
export const ms = (millis: number) => `${millis.toFixed(1)} ms`;
export const seconds = (millis: number) => `${(millis / 1000).toFixed(2)} s`;
export const perSecond = (count: number) => `${Math.round(count).toLocaleString('en-US')}/s`;
export const count = (value: number) => value.toLocaleString('en-US');

/** A Markdown table (readable in a terminal, pasted as is into BENCHMARKS.md); numbers right-aligned. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, column) => {
      widths[column] = Math.max(widths[column] ?? 3, cell.length);
    });
  }
  const numeric = /^[-+~<>≤]?[\d.,]+( ?[%a-zA-Z/]+)?$/;
  const [header, ...body] = rows;
  if (header === undefined) return '';
  const alignRight = header.map((_, column) => body.some((row) => numeric.test(row[column] ?? '')));
  const line = (row: readonly string[]) =>
    `| ${row
      .map((cell, column) =>
        alignRight[column] ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0),
      )
      .join(' | ')} |`;
  const rule = `| ${widths.map((width, column) => (alignRight[column] ? `${'-'.repeat(width - 1)}:` : '-'.repeat(width))).join(' | ')} |`;
  return [line(header), rule, ...body.map(line)].join('\n');
}
