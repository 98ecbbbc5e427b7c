// Applications: search by name, uid or id; per application its endpoints (disabled and
// failing first) with their pending deliveries, and a button that opens its portal.
import { dateTime } from '/assets/lib/format.js';
import { html, useCallback, useEffect, useState } from '/assets/lib/html.js';

export function Applications({ api, search, selected, navigate }) {
  const [query, setQuery] = useState(search);
  const [page, setPage] = useState(null);
  const [error, setError] = useState('');

  const load = useCallback(
    async (iterator) => {
      try {
        const result = await api.get('/app', { search, limit: 50, iterator });
        setPage((previous) =>
          iterator && previous ? { ...result, data: [...previous.data, ...result.data] } : result,
        );
        setError('');
      } catch (e) {
        if (e.status !== 401) setError(`Could not list applications: ${e.message}`);
      }
    },
    [api, search],
  );

  useEffect(() => {
    setQuery(search);
    setPage(null);
    load();
  }, [search, load]);

  const submit = (event) => {
    event.preventDefault();
    navigate({ search: query.trim(), app: '' });
  };

  return html`<section aria-labelledby="applications-title">
    <h1 id="applications-title">Applications</h1>
    <form class="card console-search" role="search" onSubmit=${submit}>
      <label for="app-search">Search by name, uid or id</label>
      <div class="row">
        <input
          id="app-search"
          type="search"
          value=${query}
          onInput=${(e) => setQuery(e.currentTarget.value)}
        />
        <button type="submit" class="primary">Search</button>
      </div>
    </form>
    ${error ? html`<p class="error" role="alert">${error}</p>` : null}
    ${selected ? html`<${ApplicationDetail} api=${api} appId=${selected} key=${selected} />` : null}
    <div class="card">
      <h2 class="console-wrap">${search ? `Applications matching “${search}”` : 'All applications'}</h2>
      ${
        page === null
          ? html`<p class="muted">Loading…</p>`
          : page.data.length === 0
            ? html`<p>No application matches.</p>`
            : html`<div class="table-wrap">
              <table>
                <thead>
                  <tr><th>Name</th><th>uid</th><th class="hide-narrow">id</th></tr>
                </thead>
                <tbody>
                  ${page.data.map(
                    (a) => html`<tr key=${a.id}>
                      <td>
                        <a
                          href=${`#/applications?${new URLSearchParams({ search, app: a.id })}`}
                          aria-current=${a.id === selected ? 'true' : undefined}
                          >${a.name || a.id}</a
                        >
                      </td>
                      <td class="mono">${a.uid ?? ''}</td>
                      <td class="mono hide-narrow">${a.id}</td>
                    </tr>`,
                  )}
                </tbody>
              </table>
            </div>`
      }
      ${
        page && !page.done
          ? html`<p><button type="button" onClick=${() => load(page.iterator)}>More</button></p>`
          : null
      }
    </div>
  </section>`;
}

function ApplicationDetail({ api, appId }) {
  const [app, setApp] = useState(null);
  const [health, setHealth] = useState(null);
  const [error, setError] = useState('');
  const [portal, setPortal] = useState({ busy: false, url: '', error: '' });

  useEffect(() => {
    (async () => {
      try {
        const [a, h] = await Promise.all([
          api.get(`/app/${encodeURIComponent(appId)}`),
          api.get(`/app/${encodeURIComponent(appId)}/endpoint-health`),
        ]);
        setApp(a);
        setHealth(h);
      } catch (e) {
        if (e.status !== 401) setError(`Could not load this application: ${e.message}`);
      }
    })();
  }, [api, appId]);

  const openPortal = async () => {
    // The tab is opened at once (a tab opened after a network wait may be blocked), without a
    // way back to this page, and sent to the portal link when it arrives.
    const tab = window.open('', '_blank');
    if (tab) tab.opener = null;
    setPortal({ busy: true, url: '', error: '' });
    try {
      const access = await api.post(`/auth/app-portal-access/${encodeURIComponent(appId)}`, {});
      if (tab) tab.location.href = access.url;
      setPortal({ busy: false, url: tab ? '' : access.url, error: '' });
    } catch (e) {
      tab?.close();
      setPortal({ busy: false, url: '', error: `Could not create a portal link: ${e.message}` });
    }
  };

  if (error) return html`<div class="card"><p class="error" role="alert">${error}</p></div>`;
  if (!app || !health) return html`<div class="card"><p class="muted">Loading…</p></div>`;
  return html`<article class="card" aria-labelledby="app-title">
    <div class="row console-heading">
      <h2 id="app-title" class="console-wrap">${app.name || app.id}</h2>
      <button type="button" class="primary" onClick=${openPortal} disabled=${portal.busy}>
        Open portal
      </button>
    </div>
    <p class="muted mono console-wrap">${app.uid ? `${app.uid} · ` : ''}${app.id}</p>
    ${portal.error ? html`<p class="error" role="alert">${portal.error}</p>` : null}
    ${
      portal.url
        ? html`<p>
          <a href=${portal.url} target="_blank" rel="noopener noreferrer">Open the portal link</a>
        </p>`
        : null
    }
    <p><strong>${health.pending}</strong> pending ${health.pending === 1 ? 'delivery' : 'deliveries'}</p>
    ${
      health.data.length === 0
        ? html`<p class="muted">This application has no endpoints.</p>`
        : html`<div class="table-wrap">
          <table aria-label="Endpoints">
            <thead>
              <tr><th>Endpoint</th><th>State</th><th>Pending</th></tr>
            </thead>
            <tbody>
              ${health.data.map(
                (e) => html`<tr key=${e.id}>
                  <td>
                    <div class="mono console-url">${e.url}</div>
                    ${e.description ? html`<div class="muted">${e.description}</div>` : null}
                    <div class="muted mono hide-narrow">${e.uid ?? e.id}</div>
                  </td>
                  <td class="console-state"><${EndpointState} endpoint=${e} /></td>
                  <td>${e.pending}</td>
                </tr>`,
              )}
            </tbody>
          </table>
        </div>`
    }
  </article>`;
}

function EndpointState({ endpoint }) {
  if (endpoint.disabled) return html`<span class="badge bad">Disabled</span>`;
  if (endpoint.failingSince)
    return html`<span class="badge warn">Failing since ${dateTime(endpoint.failingSince)}</span>`;
  return html`<span class="badge ok">Healthy</span>`;
}
