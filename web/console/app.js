// The operator console: log in with the operator token, then Overview and Applications. Every
// read and write goes through the public API with the session cookie and its CSRF token.
import { html, render, useEffect, useMemo, useState } from '/assets/lib/html.js';
import { Applications } from './applications.js';
import { Login } from './login.js';
import { Overview } from './overview.js';
import { createConsoleApi, logOut, resumeSession } from './session.js';

/** The route lives in the hash: `#/overview` or `#/applications?search=…&app=…`. */
function readRoute() {
  const [path, query = ''] = location.hash.replace(/^#\/?/, '').split('?');
  const params = new URLSearchParams(query);
  return {
    page: path === 'applications' ? 'applications' : 'overview',
    search: params.get('search') ?? '',
    app: params.get('app') ?? '',
  };
}

function Console() {
  const [state, setState] = useState('checking');
  const [notice, setNotice] = useState('');
  const [route, setRoute] = useState(readRoute);
  const api = useMemo(
    () =>
      createConsoleApi(() => {
        setNotice('Your session has ended. Log in again.');
        setState('out');
      }),
    [],
  );

  useEffect(() => {
    resumeSession(api)
      .then((active) => setState(active ? 'in' : 'out'))
      .catch(() => setState('out'));
    const onHash = () => setRoute(readRoute());
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, [api]);

  // Asking whether a session is live takes a moment: nothing to show meanwhile.
  if (state === 'checking') return html`<main></main>`;
  if (state === 'out')
    return html`<${Login}
      api=${api}
      notice=${notice}
      onLoggedIn=${() => {
        setNotice('');
        setState('in');
      }}
    />`;

  const navigate = ({ search, app }) => {
    const params = new URLSearchParams();
    if (search) params.set('search', search);
    if (app) params.set('app', app);
    const query = params.toString();
    location.hash = `#/applications${query ? `?${query}` : ''}`;
  };
  const signOut = async () => {
    try {
      await logOut(api);
    } finally {
      setNotice('You have logged out.');
      setState('out');
    }
  };

  return html`<header class="top">
      <span class="title">Herald console</span>
      <nav class="tabs" aria-label="Console">
        <a href="#/overview" aria-current=${route.page === 'overview' ? 'page' : undefined}>Overview</a>
        <a
          href="#/applications"
          aria-current=${route.page === 'applications' ? 'page' : undefined}
          >Applications</a
        >
        <button type="button" onClick=${signOut}>Log out</button>
      </nav>
    </header>
    <main>
      ${
        route.page === 'applications'
          ? html`<${Applications}
            api=${api}
            search=${route.search}
            selected=${route.app}
            navigate=${navigate}
          />`
          : html`<${Overview} api=${api} />`
      }
    </main>`;
}

render(html`<${Console} />`, document.getElementById('root'));
