// Testing: send an example event of a chosen type (or the empty test request) and watch the
// attempt appear with its status and duration.

import { prettyJson } from '/assets/lib/format.js';
import { html, useEffect, useRef, useState } from '/assets/lib/html.js';
import { Link } from '../router.js';
import { appPath, eventTypes, session } from '../session.js';
import {
  attemptSummary,
  ErrorNote,
  exampleOf,
  Loading,
  poll,
  StatusBadge,
  useLoad,
} from '../ui.js';

const ping = { name: 'svix.ping', description: 'A ping: the payload {"success": true}.' };

export function EndpointTesting({ endpoint }) {
  const types = useLoad(eventTypes, []);
  const [chosen, setChosen] = useState('');
  const [sent, setSent] = useState([]);
  const [error, setError] = useState(null);
  const stops = useRef([]);
  useEffect(
    () => () => {
      for (const stop of stops.current) stop();
    },
    [],
  );

  if (types.error) return html`<${ErrorNote} error=${types.error} />`;
  if (!types.data) return html`<${Loading} />`;
  const wanted = endpoint.filterTypes?.length ? endpoint.filterTypes : null;
  const usable = [
    ping,
    ...types.data.filter((t) => exampleOf(t) !== null && (!wanted || wanted.includes(t.name))),
  ];
  const name = chosen || usable[0].name;
  const type = usable.find((t) => t.name === name) ?? ping;
  const example = type === ping ? { success: true } : exampleOf(type);

  const update = (id, change) =>
    setSent((list) => list.map((s) => (s.id === id ? { ...s, ...change } : s)));

  const sendExample = async () => {
    setError(null);
    try {
      const msg = await session.api.post(appPath(`/endpoint/${endpoint.id}/send-example`), {
        eventType: name,
      });
      setSent((list) => [{ id: msg.id, eventType: name, msgId: msg.id, attempt: null }, ...list]);
      stops.current.push(
        poll(
          async () => {
            const page = await session.api.get(appPath(`/attempt/msg/${msg.id}`), {
              endpoint_id: endpoint.id,
            });
            const attempt = page.data[0];
            if (attempt) update(msg.id, { attempt });
            return Boolean(attempt);
          },
          800,
          60_000,
        ),
      );
    } catch (e) {
      setError(e);
    }
  };

  const sendEmpty = async () => {
    setError(null);
    const id = `test-${Date.now()}`;
    setSent((list) => [
      { id, eventType: 'Empty test request', msgId: null, attempt: null },
      ...list,
    ]);
    try {
      const result = await session.api.post(appPath(`/endpoint/${endpoint.id}/test`));
      update(id, {
        attempt: {
          status: result.success ? 0 : 2,
          responseStatusCode: result.statusCode ?? 0,
          responseDurationMs: result.durationMs,
        },
        detail: result.error,
      });
    } catch (e) {
      setSent((list) => list.filter((s) => s.id !== id));
      setError(e);
    }
  };

  return html`
    <section class="card" aria-labelledby="send-h">
      <h2 id="send-h">Send an example event</h2>
      <label for="test-type">Event type</label>
      <select id="test-type" value=${name} onChange=${(e) => setChosen(e.currentTarget.value)}>
        ${usable.map((t) => html`<option key=${t.name} value=${t.name}>${t.name}</option>`)}
      </select>
      ${type.description && html`<p class="muted small">${type.description}</p>`}
      <p class="label-like">Example payload</p>
      <pre class="payload" aria-label="Example payload">${prettyJson(example)}</pre>
      ${
        session.readOnly
          ? html`<p class="muted">This link is read-only: it cannot send test events.</p>`
          : html`<div class="row">
            <button type="button" class="primary" onClick=${sendExample}>Send example</button>
            <button type="button" onClick=${sendEmpty}>Send empty test request</button>
          </div>`
      }
      ${error && html`<p class="error" role="alert">${error.detail || error.message}</p>`}
    </section>
    <section class="card" aria-labelledby="sent-h">
      <h2 id="sent-h">Sent from this page</h2>
      ${sent.length === 0 && html`<p class="muted">Nothing sent yet.</p>`}
      <ul class="sent-list" aria-live="polite">
        ${sent.map(
          (s) => html`<li key=${s.id}>
            <span class="mono">${s.eventType}</span>
            ${
              s.attempt
                ? html`<${StatusBadge} status=${s.attempt.status} /> <span>${attemptSummary(s.attempt)}</span>`
                : html`<span class="muted">Waiting for the attempt…</span>`
            }
            ${s.detail && html`<span class="error small">${s.detail}</span>`}
            ${s.msgId && html`<${Link} href=${`/portal/messages/${s.msgId}`}>View message</${Link}>`}
          </li>`,
        )}
      </ul>
    </section>`;
}
