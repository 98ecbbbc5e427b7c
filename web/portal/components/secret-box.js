// The endpoint's signing secret: hidden until revealed, with copy and rotate (and the old
// key's grace period shown after a rotation).

import { dateTime } from '/assets/lib/format.js';
import { html, useState } from '/assets/lib/html.js';
import { appPath, session } from '../session.js';

const graces = [
  [0, 'Stop the old key now'],
  [3600, '1 hour'],
  [86_400, '24 hours'],
  [604_800, '7 days'],
];

export function SecretBox({ endpoint }) {
  const [secret, setSecret] = useState(null);
  const [copied, setCopied] = useState(false);
  const [grace, setGrace] = useState(86_400);
  const [rotated, setRotated] = useState(null);
  const [error, setError] = useState(null);
  const path = appPath(`/endpoint/${endpoint.id}/secret`);

  const reveal = async () => {
    setError(null);
    try {
      setSecret((await session.api.get(path)).key);
    } catch (e) {
      setError(e);
    }
  };
  const copy = async () => {
    const key = secret ?? (await session.api.get(path)).key;
    try {
      await navigator.clipboard.writeText(key);
      setCopied(true);
      setTimeout(() => setCopied(false), 2000);
    } catch {
      setSecret(key);
    }
  };
  const rotate = async () => {
    setError(null);
    try {
      await session.api.post(`${path}/rotate`, { gracePeriodSeconds: grace });
      setRotated({ at: Date.now(), grace });
      if (secret !== null) setSecret((await session.api.get(path)).key);
    } catch (e) {
      setError(e);
    }
  };

  return html`<section class="card" aria-labelledby="secret-h">
    <h2 id="secret-h">Signing secret</h2>
    <p class="muted small">Use it to verify that webhooks come from us (Standard Webhooks signatures).</p>
    <div class="secret row nowrap">
      <code class="secret-value" aria-label="Secret key">${secret ?? `whsec_${'•'.repeat(24)}`}</code>
      ${
        secret === null
          ? html`<button type="button" onClick=${reveal}>Reveal</button>`
          : html`<button type="button" onClick=${() => setSecret(null)}>Hide</button>`
      }
      <button type="button" onClick=${copy}>${copied ? 'Copied' : 'Copy'}</button>
    </div>
    ${
      !session.readOnly &&
      html`<div class="row rotate">
      <label for="grace" class="inline">Old key keeps working for</label>
      <select id="grace" value=${grace} onChange=${(e) => setGrace(Number(e.currentTarget.value))}>
        ${graces.map(([s, label]) => html`<option key=${s} value=${s}>${label}</option>`)}
      </select>
      <button type="button" onClick=${rotate}>Rotate secret</button>
    </div>`
    }
    ${
      rotated &&
      html`<p class="notice" role="status">Secret rotated. ${
        rotated.grace === 0
          ? 'The old key no longer signs.'
          : `The old key keeps signing alongside the new one until ${dateTime(rotated.at + rotated.grace * 1000)}.`
      }</p>`
    }
    ${error && html`<p class="error" role="alert">${error.detail || error.message}</p>`}
  </section>`;
}
