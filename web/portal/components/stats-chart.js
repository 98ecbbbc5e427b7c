// Successful and failed attempts over time for one endpoint, drawn with uPlot from
// GET …/stats/timeseries (a public route; scripts can read the same numbers).
import { html, useEffect, useRef, useState } from '/assets/lib/html.js';
import uPlot from '/assets/vendor/uplot.mjs';
import { appPath, session } from '../session.js';

const ranges = [
  ['1h', 'Last hour', 3_600_000, 60],
  ['24h', 'Last 24 hours', 86_400_000, 1800],
  ['7d', 'Last 7 days', 604_800_000, 21_600],
];

export function StatsChart({ endpoint }) {
  const [range, setRange] = useState('24h');
  const [series, setSeries] = useState(null);
  const [error, setError] = useState(null);
  const box = useRef(null);

  useEffect(() => {
    const [, , span, interval] = ranges.find((r) => r[0] === range);
    const until = Date.now();
    session.api
      .get(appPath(`/endpoint/${endpoint.id}/stats/timeseries`), {
        since: new Date(until - span).toISOString(),
        until: new Date(until).toISOString(),
        interval,
      })
      .then(setSeries, setError);
  }, [endpoint.id, range]);

  useEffect(() => {
    if (!series || !box.current) return;
    const xs = series.data.map((b) => Date.parse(b.start) / 1000);
    const ok = series.data.map((b) => b.success);
    const bad = series.data.map((b) => b.fail);
    const bars = uPlot.paths.bars;
    const width = () => Math.max(260, box.current.clientWidth);
    const plot = new uPlot(
      {
        width: width(),
        height: 200,
        legend: { show: true },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
        series: [
          {},
          {
            label: 'Succeeded',
            stroke: '#1b7f3b',
            fill: 'rgba(27,127,59,0.55)',
            paths: bars({ size: [0.45, 24], align: -1 }),
            points: { show: false },
          },
          {
            label: 'Failed',
            stroke: '#b42318',
            fill: 'rgba(180,35,24,0.6)',
            paths: bars({ size: [0.45, 24], align: 1 }),
            points: { show: false },
          },
        ],
        axes: [{}, { size: 40 }],
      },
      [xs, ok, bad],
      box.current,
    );
    const onResize = () => plot.setSize({ width: width(), height: 200 });
    window.addEventListener('resize', onResize);
    return () => {
      window.removeEventListener('resize', onResize);
      plot.destroy();
    };
  }, [series]);

  const total = (key) => (series ? series.data.reduce((n, b) => n + b[key], 0) : 0);
  return html`<section class="card" aria-labelledby="chart-h">
    <div class="page-head">
      <h2 id="chart-h">Deliveries</h2>
      <label for="range" class="visually-hidden">Time range</label>
      <select id="range" class="narrow-select" value=${range} onChange=${(e) => setRange(e.currentTarget.value)}>
        ${ranges.map(([value, label]) => html`<option key=${value} value=${value}>${label}</option>`)}
      </select>
    </div>
    ${error && html`<p class="error" role="alert">${error.detail || error.message}</p>`}
    <p class="chart-summary" aria-live="polite">
      ${
        series
          ? html`<span class="badge ok">${total('success')} succeeded</span>
            <span class="badge bad">${total('fail')} failed</span>
            <span class="muted small">attempts in this period</span>`
          : html`<span class="muted small">Loading…</span>`
      }
    </p>
    <div class="chart" ref=${box} role="img" aria-label="Chart of successful and failed attempts over time"></div>
  </section>`;
}
