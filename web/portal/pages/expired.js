// The page a session ends on: after logout, expiry, or a revoked link.
import { html } from '/assets/lib/html.js';
import { endReason } from '../session.js';

export function ExpiredPage() {
  const reason = endReason();
  const why =
    reason === 'logout'
      ? 'You logged out, and this link no longer works.'
      : reason === 'expired'
        ? 'This portal link has expired or was revoked.'
        : 'This page needs a portal link, and none was given.';
  return html`<main>
    <div class="card center-page expired">
      <h1>Link expired</h1>
      <p>${why}</p>
      <p class="muted">Portal links are short-lived. Ask the service that sends you webhooks for a new link to manage your endpoints.</p>
    </div>
  </main>`;
}
