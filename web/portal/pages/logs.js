// Logs: messages (and, per endpoint, attempts) filtered by endpoint, status, event type and
// date range, paged with the API's iterators.
import { html, useState } from '/assets/lib/html.js';
import { AttemptTable } from '../components/attempt-table.js';
import { Link } from '../router.js';
import { appPath, eventTypes, session } from '../session.js';
import {
  ErrorNote,
  inputIso,
  Loading,
  Pager,
  StatusBadge,
  statusNames,
  Time,
  useLoad,
} from '../ui.js';

const emptyFilters = {
  endpoint: '',
  status: '',
  eventType: '',
  after: '',
  before: '',
  view: 'messages',
};

function query(filters, iterator) {
  return {
    limit: 25,
    iterator,
    status: filters.endpoint ? filters.status : undefined,
    event_types: filters.eventType ? [filters.eventType] : undefined,
    after: inputIso(filters.after),
    before: inputIso(filters.before),
    with_content: false,
  };
}

function load(filters, iterator) {
  const q = query(filters, iterator);
  if (!filters.endpoint) return session.api.get(appPath('/msg'), q);
  const ep = encodeURIComponent(filters.endpoint);
  return filters.view === 'attempts'
    ? session.api.get(appPath(`/attempt/endpoint/${ep}`), q)
    : session.api.get(appPath(`/endpoint/${ep}/msg`), q);
}

export function LogsPage() {
  const [filters, setFilters] = useState(emptyFilters);
  const [iterator, setIterator] = useState(undefined);
  const endpoints = useLoad(() => session.api.get(appPath('/endpoint'), { limit: 250 }), []);
  const types = useLoad(eventTypes, []);
  const page = useLoad(() => load(filters, iterator), [filters, iterator]);
  const set = (name) => (e) => {
    setIterator(undefined);
    setFilters({ ...filters, [name]: e.currentTarget.value });
  };
  const attempts = filters.endpoint && filters.view === 'attempts';

  return html`
    <h1>Logs</h1>
    <form class="card filters" aria-label="Filters" onSubmit=${(e) => e.preventDefault()}>
      <div>
        <label for="f-endpoint">Endpoint</label>
        <select id="f-endpoint" value=${filters.endpoint} onChange=${set('endpoint')}>
          <option value="">All endpoints</option>
          ${(endpoints.data?.data ?? []).map((e) => html`<option key=${e.id} value=${e.id}>${e.url}</option>`)}
        </select>
      </div>
      <div>
        <label for="f-status">Status</label>
        <select id="f-status" value=${filters.status} onChange=${set('status')} disabled=${!filters.endpoint} title=${filters.endpoint ? '' : 'Pick an endpoint to filter by status'}>
          <option value="">${filters.endpoint ? 'Any status' : 'Pick an endpoint first'}</option>
          ${Object.entries(statusNames).map(([n, label]) => html`<option key=${n} value=${n}>${label}</option>`)}
        </select>
      </div>
      <div>
        <label for="f-type">Event type</label>
        <select id="f-type" value=${filters.eventType} onChange=${set('eventType')}>
          <option value="">All event types</option>
          ${(types.data ?? []).map((t) => html`<option key=${t.name} value=${t.name}>${t.name}</option>`)}
        </select>
      </div>
      <div>
        <label for="f-after">From</label>
        <input id="f-after" type="datetime-local" value=${filters.after} onInput=${set('after')} />
      </div>
      <div>
        <label for="f-before">To</label>
        <input id="f-before" type="datetime-local" value=${filters.before} onInput=${set('before')} />
      </div>
      <div>
        <label for="f-view">Show</label>
        <select id="f-view" value=${filters.view} onChange=${set('view')} disabled=${!filters.endpoint}>
          <option value="messages">Messages</option>
          <option value="attempts">Attempts</option>
        </select>
      </div>
    </form>
    ${page.error && html`<${ErrorNote} error=${page.error} what="This endpoint" />`}
    ${page.loading && !page.data && html`<${Loading} />`}
    ${
      page.data &&
      html`<section class="card flush" aria-label=${attempts ? 'Attempts' : 'Messages'}>
      ${
        attempts
          ? html`<div class="pad"><${AttemptTable} attempts=${page.data.data} empty="No attempts match." /></div>`
          : page.data.data.length === 0
            ? html`<p class="muted pad">No messages match.</p>`
            : html`<div class="table-wrap"><table>
              <thead><tr><th>Time</th><th>Event type</th>${filters.endpoint && html`<th>Status</th>`}<th class="hide-narrow">Message id</th></tr></thead>
              <tbody>
                ${page.data.data.map(
                  (m) => html`<tr key=${m.id}>
                    <td><${Link} href=${`/portal/messages/${m.id}`}><${Time} value=${m.timestamp} /></${Link}></td>
                    <td class="mono">${m.eventType}</td>
                    ${filters.endpoint && html`<td><${StatusBadge} status=${m.status} /></td>`}
                    <td class="hide-narrow mono small">${m.id}</td>
                  </tr>`,
                )}
              </tbody>
            </table></div>`
      }
    </section>
    <${Pager} page=${page.data} onPage=${setIterator} first=${iterator === undefined} />`
    }`;
}
