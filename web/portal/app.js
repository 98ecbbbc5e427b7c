// The customer portal: one application's endpoints, event catalogue and logs, over the public
// API with the app-scoped key from the link. See docs/portal.md.
import { createApi } from '/assets/lib/api.js';
import { html, render } from '/assets/lib/html.js';
import { Layout } from './layout.js';
import { ExpiredPage } from './pages/expired.js';
import { navigate } from './router.js';
import { endSession, getKey, session, takeKeyFromUrl } from './session.js';

const root = document.getElementById('root');

function showExpired() {
  if (location.pathname !== '/portal/expired') history.replaceState(null, '', '/portal/expired');
  render(html`<${ExpiredPage} />`, root);
}

/** Ends the session (the key is forgotten) and shows why. */
export function expire(reason) {
  // The first reason stands (a request refused after logout must not rewrite it).
  if (getKey()) endSession(reason);
  showExpired();
}

async function start() {
  const key = takeKeyFromUrl();
  if (!key) return showExpired();
  session.api = createApi(getKey, () => expire('expired'));
  try {
    const who = await session.api.get('/auth/whoami');
    if (who.kind !== 'application') return expire('expired');
    session.readOnly = who.readOnly;
    session.expiresAt = who.expiresAt ? Date.parse(who.expiresAt) : null;
    session.app = await session.api.get(`/app/${encodeURIComponent(who.appId)}`);
  } catch (error) {
    if (error.status === 401) return;
    render(
      html`<main><p class="error" role="alert">The portal could not start: ${error.message}</p></main>`,
      root,
    );
    return;
  }
  if (session.expiresAt !== null) {
    // Timers are capped at about 24.8 days; a link lasts at most 7.
    setTimeout(() => expire('expired'), Math.max(0, session.expiresAt - Date.now()));
  }
  if (['/portal', '/portal/', '/portal/expired'].includes(location.pathname)) {
    navigate('/portal/endpoints', { replace: true });
  }
  document.title = `Webhooks · ${session.app.name}`;
  render(html`<${Layout} onLogout=${logout} />`, root);
}

async function logout() {
  try {
    await session.api.post('/auth/logout');
  } catch {
    // Already expired or revoked: the session ends either way.
  }
  expire('logout');
}

start();
