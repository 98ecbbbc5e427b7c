// The benchmark's outputs: a table for the terminal and Markdown, JSON, and an SVG chart.

export type ResultRow = {
  row: string;
  store: string;
  median: number | null;
  min: number | null;
  max: number | null;
  unit: string;
  ratio: number | null;
  peakRssMb: number | null;
  cpuUsPerDelivery: number | null;
  /** CPU µs per operation of the receiver, the load generator and the whole machine. */
  receiverUs: number | null;
  generatorUs: number | null;
  machineUs: number | null;
  target: string;
  met: boolean | null;
  detail: string;
  /** Attempts the row needed and those recorded (rows that deliver), for the JSON only. */
  attempts?: { expected: number; recorded: number } | null;
};

const fmt = (n: number | null, digits = 0) =>
  n === null || Number.isNaN(n)
    ? '-'
    : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

export function table(rows: ResultRow[]): string {
  const header = [
    'row',
    'store',
    'median',
    'min-max',
    'unit',
    'ratio',
    'peak RSS MB',
    'CPU µs/op',
    'target',
    'met',
  ];
  const lines = rows.map((r) => [
    r.row,
    r.store,
    fmt(r.median, r.unit.startsWith('ms ') ? 2 : 0),
    r.min === null
      ? '-'
      : `${fmt(r.min, r.unit.startsWith('ms ') ? 2 : 0)}-${fmt(r.max, r.unit.startsWith('ms ') ? 2 : 0)}`,
    r.unit,
    fmt(r.ratio, 2),
    fmt(r.peakRssMb),
    fmt(r.cpuUsPerDelivery),
    r.target,
    r.met === null ? '' : r.met ? 'yes' : 'NO',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const row = (cells: string[]) =>
    `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [
    row(header),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...lines.map(row),
  ].join('\n');
}

/** Horizontal bars: throughput rows on one scale, latency percentiles on another. */
export function chart(rows: ResultRow[], title: string): string {
  const throughput = rows.filter((r) => r.median !== null && !r.unit.startsWith('ms '));
  const latency = rows.filter((r) => r.median !== null && r.unit.startsWith('ms '));
  const bars = [...throughput, ...latency];
  const width = 900;
  const barHeight = 26;
  const top = 50;
  const height = top + bars.length * (barHeight + 10) + 30;
  const maxThroughput = Math.max(1, ...throughput.map((r) => r.median ?? 0));
  const maxLatency = Math.max(1, ...latency.map((r) => r.median ?? 0));
  const xml = (s: string) =>
    s.replace(/[<>&]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;' })[c] ?? c);
  const parts = bars.map((r, i) => {
    const y = top + i * (barHeight + 10);
    const scale = r.unit.startsWith('ms ') ? maxLatency : maxThroughput;
    const w = Math.max(2, ((r.median ?? 0) / scale) * 480);
    const color = r.met === false ? '#d9534f' : r.unit.startsWith('ms ') ? '#f0ad4e' : '#337ab7';
    return `<text x="10" y="${y + 18}" font-size="13">${xml(`${r.row} (${r.store})`)}</text>
<rect x="300" y="${y}" width="${w.toFixed(1)}" height="${barHeight}" fill="${color}"/>
<text x="${(305 + w).toFixed(1)}" y="${y + 18}" font-size="13">${xml(`${fmt(r.median, r.unit.startsWith('ms ') ? 2 : 0)} ${r.unit}`)}</text>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>
<text x="10" y="28" font-size="18" font-weight="bold">${xml(title)}</text>
${parts.join('\n')}
</svg>
`;
}

/** A rate target whose CPU budget the report works out. */
export type RateTarget = {
  row: string;
  store: string;
  rate: number;
  op: string;
  /** False for a row that sends nothing (ingest): no receiver works for it. */
  delivers?: boolean;
};

/**
 * What a rate target leaves each operation of the machine's CPU, beside what the run spent:
 * at `rate` per second, `cores` cores give `cores × 10⁶ / rate` µs per operation. The
 * receiver (at its cost in the ceiling run, its cheapest) and the load generator need part
 * of it; the rest is Herald's (and its database server's). Sending alone, the ceiling's load
 * generator, is the least any sender spends on a delivery.
 */
export function budget(rows: ResultRow[], targets: RateTarget[], cores: number): string[] {
  const top = rows.find((r) => r.row === 'ceiling');
  if (!top?.receiverUs || !top.cpuUsPerDelivery) return [];
  const us = (n: number) => `${fmt(n)} µs`;
  const lines: string[] = [];
  for (const t of targets) {
    const r = rows.find((x) => x.row === t.row && x.store === t.store);
    if (!r?.cpuUsPerDelivery || !r.machineUs || !Number.isFinite(t.rate)) continue;
    const given = (cores * 1e6) / t.rate;
    const receiverUs = t.delivers === false ? 0 : top.receiverUs;
    const others = receiverUs + (r.generatorUs ?? 0);
    const heraldWho = t.store === 'postgres' ? 'Herald and PostgreSQL' : 'Herald';
    const rest = r.machineUs - r.cpuUsPerDelivery - (r.receiverUs ?? 0) - (r.generatorUs ?? 0);
    lines.push(
      [
        `${t.row} (${t.store}) at ${fmt(t.rate)}/s: ${cores} cores give ${us(given)} of CPU per ${t.op}`,
        `${receiverUs ? `the receiver needs ${us(receiverUs)}${r.generatorUs ? ` and the publishing client ${us(r.generatorUs)}` : ''}` : `the publishing client needs ${us(r.generatorUs ?? 0)}`}, leaving ${heraldWho} ${us(given - others)}${receiverUs ? `, where sending alone costs ${us(top.cpuUsPerDelivery)}` : ''}`,
        `Herald spent ${us(r.cpuUsPerDelivery)}${t.store === 'postgres' ? ` and PostgreSQL with the rest of the machine ${us(rest)}` : ''}; at the whole machine's ${us(r.machineUs)} per ${t.op}, ${cores} cores manage at most ${fmt((cores * 1e6) / r.machineUs)}/s`,
      ].join('; '),
    );
  }
  return lines;
}
