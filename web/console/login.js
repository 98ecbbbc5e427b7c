// The login form: the operator token in a password field, exchanged for a session.
import { html, useState } from '/assets/lib/html.js';
import { logIn } from './session.js';

export function Login({ api, notice, onLoggedIn }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const submit = async (event) => {
    event.preventDefault();
    setError('');
    setBusy(true);
    try {
      await logIn(api, token.trim());
      setToken('');
      onLoggedIn();
    } catch (e) {
      setError(
        e.status === 401
          ? 'That is not the operator token. Check HERALD_ADMIN_TOKEN or the admin-token file in the data directory.'
          : `Could not log in: ${e.message}`,
      );
    } finally {
      setBusy(false);
    }
  };

  return html`<main class="center-page console-login">
    <h1>Herald console</h1>
    ${notice ? html`<p class="notice" role="status">${notice}</p>` : null}
    <form class="card" onSubmit=${submit}>
      <label for="operator-token">Operator token</label>
      <input
        id="operator-token"
        type="password"
        autocomplete="current-password"
        required
        value=${token}
        onInput=${(e) => setToken(e.currentTarget.value)}
      />
      ${error ? html`<p class="error" role="alert">${error}</p>` : null}
      <p><button class="primary" type="submit" disabled=${busy}>Log in</button></p>
      <p class="muted">The token is exchanged for a session cookie and is not kept by this page.</p>
    </form>
  </main>`;
}
