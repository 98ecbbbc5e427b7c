// One endpoint: its URL and state, with tabs for Overview, Testing and Advanced.
import { html } from '/assets/lib/html.js';
import { Link } from '../router.js';
import { appPath, session } from '../session.js';
import { ErrorNote, Loading, useLoad } from '../ui.js';
import { EndpointAdvanced } from './endpoint-advanced.js';
import { EndpointOverview } from './endpoint-overview.js';
import { EndpointTesting } from './endpoint-testing.js';

const tabs = [
  ['overview', 'Overview'],
  ['testing', 'Testing'],
  ['advanced', 'Advanced'],
];

export function EndpointPage({ id, tab }) {
  const {
    data: endpoint,
    error,
    loading,
    reload,
  } = useLoad(() => session.api.get(appPath(`/endpoint/${encodeURIComponent(id)}`)), [id]);
  if (error) return html`<${ErrorNote} error=${error} what="This endpoint" />`;
  if (!endpoint) return loading ? html`<${Loading} />` : null;
  const base = `/portal/endpoints/${encodeURIComponent(endpoint.id)}`;
  const Tab =
    tab === 'testing' ? EndpointTesting : tab === 'advanced' ? EndpointAdvanced : EndpointOverview;
  return html`
    <nav class="crumbs" aria-label="Breadcrumb"><${Link} href="/portal/endpoints">Endpoints</${Link}> /</nav>
    <div class="page-head">
      <h1 class="mono endpoint-title">${endpoint.url}</h1>
      ${endpoint.disabled ? html`<span class="badge bad">Disabled</span>` : html`<span class="badge ok">Enabled</span>`}
    </div>
    ${endpoint.description && html`<p class="muted">${endpoint.description}</p>`}
    <nav class="tabs subtabs" aria-label="Endpoint">
      ${tabs.map(
        ([name, label]) =>
          html`<${Link} key=${name} href=${name === 'overview' ? base : `${base}/${name}`} aria-current=${tab === name ? 'page' : undefined}>${label}</${Link}>`,
      )}
    </nav>
    <${Tab} endpoint=${endpoint} reload=${reload} />`;
}
