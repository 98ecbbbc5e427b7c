// Endpoints: every endpoint of the application, its state and its success rate over 24 hours.
import { html, useState } from '/assets/lib/html.js';
import { Link, navigate } from '../router.js';
import { appPath, session } from '../session.js';
import { ErrorNote, Loading, Pager, useLoad } from '../ui.js';

const day = 86_400_000;

async function loadPage(iterator) {
  const page = await session.api.get(appPath('/endpoint'), { limit: 20, iterator });
  const since = new Date(Date.now() - day).toISOString();
  const stats = await Promise.all(
    page.data.map((e) =>
      session.api.get(appPath(`/endpoint/${e.id}/stats`), { since }).catch(() => null),
    ),
  );
  return { page, stats };
}

function rate(stats) {
  if (!stats) return null;
  const done = stats.success + stats.fail;
  return done === 0 ? null : Math.round((stats.success / done) * 100);
}

export function EndpointsPage() {
  const [iterator, setIterator] = useState(undefined);
  const { data, error, loading } = useLoad(() => loadPage(iterator), [iterator]);
  return html`
    <div class="page-head">
      <h1>Endpoints</h1>
      ${!session.readOnly && html`<button type="button" class="primary" onClick=${() => navigate('/portal/endpoints/new')}>Add endpoint</button>`}
    </div>
    ${error && html`<${ErrorNote} error=${error} />`}
    ${loading && !data && html`<${Loading} />`}
    ${
      data &&
      data.page.data.length === 0 &&
      html`<div class="card empty">
      <h2>No endpoints yet</h2>
      <p class="muted">An endpoint is a URL of yours that receives webhooks. Add one to start receiving events.</p>
    </div>`
    }
    ${
      data &&
      data.page.data.length > 0 &&
      html`<div class="card flush">
      <ul class="endpoint-list">
        ${data.page.data.map((endpoint, i) => {
          const r = rate(data.stats[i]);
          return html`<li key=${endpoint.id}>
            <div class="endpoint-main">
              <${Link} class="endpoint-url mono" href=${`/portal/endpoints/${endpoint.id}`}>${endpoint.url}</${Link}>
              ${endpoint.description && html`<div class="muted">${endpoint.description}</div>`}
              <div class="tags">
                ${
                  endpoint.filterTypes?.length
                    ? endpoint.filterTypes.map((t) => html`<span class="tag" key=${t}>${t}</span>`)
                    : html`<span class="tag all">All events</span>`
                }
              </div>
            </div>
            <div class="endpoint-side">
              ${
                endpoint.disabled
                  ? html`<span class="badge bad">Disabled</span>`
                  : html`<span class="badge ok">Enabled</span>`
              }
              <span class="muted small">${r === null ? 'No deliveries in 24 h' : `${r}% delivered (24 h)`}</span>
            </div>
          </li>`;
        })}
      </ul>
    </div>
    <${Pager} page=${data.page} onPage=${setIterator} first=${iterator === undefined} />`
    }`;
}
