// The frame around every page: the application's name, the navigation, logout, and the page
// the path names.
import { html } from '/assets/lib/html.js';
import { CataloguePage } from './pages/catalogue.js';
import { EndpointPage } from './pages/endpoint.js';
import { EndpointNewPage } from './pages/endpoint-new.js';
import { EndpointsPage } from './pages/endpoints.js';
import { LogsPage } from './pages/logs.js';
import { MessagePage } from './pages/message.js';
import { Link, match, useLocation } from './router.js';
import { session } from './session.js';

const routes = [
  '/portal/endpoints/new',
  '/portal/endpoints/:id/:tab?',
  '/portal/endpoints',
  '/portal/catalogue',
  '/portal/logs',
  '/portal/messages/:id',
];

function page(pathname) {
  const found = match(pathname, routes);
  if (!found) return [null, html`<${EndpointsPage} />`];
  const [index, params] = found;
  switch (index) {
    case 0:
      return ['endpoints', html`<${EndpointNewPage} />`];
    case 1:
      return [
        'endpoints',
        html`<${EndpointPage} key=${params.id} id=${params.id} tab=${params.tab ?? 'overview'} />`,
      ];
    case 2:
      return ['endpoints', html`<${EndpointsPage} />`];
    case 3:
      return ['catalogue', html`<${CataloguePage} />`];
    case 4:
      return ['logs', html`<${LogsPage} />`];
    default:
      return ['logs', html`<${MessagePage} key=${params.id} id=${params.id} />`];
  }
}

export function Layout({ onLogout }) {
  const location = useLocation();
  const pathname = location.split('?')[0];
  const [section, content] = page(pathname);
  const tab = (name, href, label) =>
    html`<${Link} href=${href} aria-current=${section === name ? 'page' : undefined}>${label}</${Link}>`;
  return html`
    <header class="top portal-top">
      <div class="title">
        <span class="app-name">${session.app.name}</span>
        <span class="muted portal-sub">Webhooks${session.readOnly ? ' · read-only' : ''}</span>
      </div>
      <nav class="tabs" aria-label="Portal">
        ${tab('endpoints', '/portal/endpoints', 'Endpoints')}
        ${tab('catalogue', '/portal/catalogue', 'Event catalogue')}
        ${tab('logs', '/portal/logs', 'Logs')}
        <button type="button" onClick=${onLogout}>Log out</button>
      </nav>
    </header>
    <main id="main">${content}</main>`;
}
