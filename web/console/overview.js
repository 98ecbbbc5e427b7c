// Overview: the queue's figures, disabled endpoints and recent operational events.
import { dateTime, duration } from '/assets/lib/format.js';
import { html, useCallback, useEffect, useState } from '/assets/lib/html.js';

export function Overview({ api }) {
  const [stats, setStats] = useState(null);
  const [events, setEvents] = useState(null);
  const [error, setError] = useState('');
  const [loadedAt, setLoadedAt] = useState(null);

  const load = useCallback(async () => {
    try {
      const [s, e] = await Promise.all([
        api.get('/queue/stats'),
        api.get('/operational-event', { limit: 20 }),
      ]);
      setStats(s);
      setEvents(e.data);
      setLoadedAt(Date.now());
      setError('');
    } catch (e) {
      if (e.status !== 401) setError(`Could not load the overview: ${e.message}`);
    }
  }, [api]);

  useEffect(() => {
    load();
    const timer = setInterval(load, 15_000);
    return () => clearInterval(timer);
  }, [load]);

  return html`<section aria-labelledby="overview-title">
    <div class="row console-heading">
      <h1 id="overview-title">Overview</h1>
      <button type="button" onClick=${load}>Refresh</button>
      ${loadedAt ? html`<span class="muted">as of ${dateTime(loadedAt)}</span>` : null}
    </div>
    ${error ? html`<p class="error" role="alert">${error}</p>` : null}
    ${stats ? html`<${Figures} stats=${stats} now=${loadedAt} />` : html`<p class="muted">Loading…</p>`}
    <div class="card">
      <h2>Recent operational events</h2>
      ${
        events === null
          ? html`<p class="muted">Loading…</p>`
          : events.length === 0
            ? html`<p class="muted">No operational events yet.</p>`
            : html`<div class="table-wrap">
              <table>
                <thead>
                  <tr><th>Time</th><th>Event</th><th>Application and endpoint</th></tr>
                </thead>
                <tbody>
                  ${events.map(
                    (e) => html`<tr key=${e.id}>
                      <td>${dateTime(e.timestamp)}</td>
                      <td><span class=${`badge ${eventTone(e.type)}`}>${e.type}</span></td>
                      <td class="mono console-wrap">
                        <div>${text(e.data.appUid ?? e.data.appId)}</div>
                        <div class="muted">${text(e.data.endpointUid ?? e.data.endpointId)}</div>
                      </td>
                    </tr>`,
                  )}
                </tbody>
              </table>
            </div>`
      }
    </div>
  </section>`;
}

function Figures({ stats, now }) {
  const waited = stats.oldestDue ? Math.max(0, now - Date.parse(stats.oldestDue)) : null;
  const figures = [
    ['Queue depth', String(stats.scheduled), 'deliveries pending or in flight'],
    ['Due now', String(stats.dueNow), 'waiting for a worker'],
    [
      'Oldest due',
      waited === null ? 'none' : duration(waited),
      stats.oldestDue ? `due since ${dateTime(stats.oldestDue)}` : 'nothing is late',
    ],
    [
      'Attempts per minute',
      `${stats.attemptsLastMinute.success} ok / ${stats.attemptsLastMinute.failure} failed`,
      'in the last minute',
    ],
    ['Disabled endpoints', String(stats.disabledEndpoints), 'across all applications'],
  ];
  return html`<dl class="console-figures">
    ${figures.map(
      ([label, value, hint]) => html`<div class="card" key=${label}>
        <dt>${label}</dt>
        <dd class="console-figure">${value}</dd>
        <dd class="muted">${hint}</dd>
      </div>`,
    )}
  </dl>`;
}

const eventTone = (type) =>
  /disabled|exhausted|failing|deleted/.test(type)
    ? 'bad'
    : /enabled|recovered/.test(type)
      ? 'ok'
      : '';

const text = (value) => (value === null || value === undefined ? '' : String(value));
