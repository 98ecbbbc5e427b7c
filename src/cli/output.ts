// How the commands print: aligned tables for people, JSON with --json, a progress bar only on
// a terminal.

export type Column<T> = [header: string, cell: (row: T) => unknown];

function cellText(value: unknown): string {
  if (value === null || value === undefined) return '-';
  if (Array.isArray(value)) return value.length ? value.join(',') : '-';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Rows as an aligned table with a header line. */
export function table<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  const cells = [
    columns.map(([header]) => header),
    ...rows.map((row) => columns.map(([, cell]) => cellText(cell(row)))),
  ];
  const widths = columns.map((_, i) => Math.max(...cells.map((line) => line[i]?.length ?? 0)));
  return cells
    .map((line) =>
      line
        .map((cell, i) => (i === line.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
    .concat('\n');
}

/** One record as `field: value` lines. */
export function record(value: Record<string, unknown>): string {
  const keys = Object.keys(value);
  const width = Math.max(0, ...keys.map((k) => k.length));
  return `${keys.map((k) => `${`${k}:`.padEnd(width + 1)} ${cellText(value[k])}`).join('\n')}\n`;
}

export const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

export function print(textOut: string): void {
  process.stdout.write(textOut);
}

/**
 * A one-line progress bar redrawn in place on a terminal; nothing at all when `stream` is not
 * a terminal (a pipe or a file), so logs and scripts see only the result.
 */
export function progressBar(stream: {
  isTTY?: boolean;
  write(text: string): unknown;
}): (label: string, done: number, total: number) => void {
  if (!stream.isTTY) return () => {};
  return (label, done, total) => {
    const width = 30;
    const filled = total === 0 ? width : Math.round((done / total) * width);
    const percent = total === 0 ? 100 : Math.floor((done / total) * 100);
    stream.write(
      `\r[${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${String(percent).padStart(3)}% ${label} ${done}/${total}${done === total ? '\n' : ''}`,
    );
  };
}
