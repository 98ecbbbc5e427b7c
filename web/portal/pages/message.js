// One message: its payload, where it went (status per endpoint, with resend), and every
// attempt with its time, trigger, request headers, status code, duration and response body.

import { dateTime, duration, prettyJson } from '/assets/lib/format.js';
import { html, useState } from '/assets/lib/html.js';
import { Link } from '../router.js';
import { appPath, session } from '../session.js';
import { ErrorNote, Loading, StatusBadge, Time, triggerName, useLoad } from '../ui.js';

async function loadMessage(id) {
  const msgPath = appPath(`/msg/${encodeURIComponent(id)}`);
  const message = await session.api.get(msgPath);
  const [destinations, attempts] = await Promise.all([
    session.api.get(`${msgPath}/endpoint`, { limit: 250 }),
    session.api.get(appPath(`/attempt/msg/${message.id}`), { limit: 250 }),
  ]);
  return { message, destinations: destinations.data, attempts: attempts.data };
}

export function MessagePage({ id }) {
  const { data, error, reload } = useLoad(() => loadMessage(id), [id]);
  const [note, setNote] = useState(null);
  if (error) return html`<${ErrorNote} error=${error} what="This message" />`;
  if (!data) return html`<${Loading} />`;
  const { message, destinations, attempts } = data;
  const urlOf = Object.fromEntries(destinations.map((d) => [d.id, d.url]));

  const resend = async (endpointId) => {
    setNote(null);
    try {
      await session.api.post(appPath(`/msg/${message.id}/endpoint/${endpointId}/resend`));
      setNote({ text: 'Resend queued: a new attempt appears below in a moment.' });
      setTimeout(reload, 1500);
    } catch (e) {
      setNote({ error: e.detail || e.message });
    }
  };

  return html`
    <nav class="crumbs" aria-label="Breadcrumb"><${Link} href="/portal/logs">Logs</${Link}> /</nav>
    <div class="page-head"><h1 class="mono">${message.eventType}</h1><button type="button" onClick=${reload}>Refresh</button></div>
    <p class="muted small"><span class="mono">${message.id}</span> · <${Time} value=${message.timestamp} />${message.eventId && html` · event id <span class="mono">${message.eventId}</span>`}</p>
    <section class="card" aria-labelledby="payload-h">
      <h2 id="payload-h">Payload</h2>
      <pre class="payload">${prettyJson(message.payload)}</pre>
    </section>
    <section class="card" aria-labelledby="dest-h">
      <h2 id="dest-h">Deliveries</h2>
      ${note?.text && html`<p class="notice" role="status">${note.text}</p>`}
      ${note?.error && html`<p class="error" role="alert">${note.error}</p>`}
      ${destinations.length === 0 && html`<p class="muted">No endpoint received this message.</p>`}
      <ul class="destinations">
        ${destinations.map(
          (d) => html`<li key=${d.id}>
            <${Link} class="mono" href=${`/portal/endpoints/${d.id}`}>${d.url}</${Link}>
            <${StatusBadge} status=${d.status} />
            ${d.nextAttempt && html`<span class="muted small">next try ${dateTime(d.nextAttempt)}</span>`}
            ${!session.readOnly && html`<button type="button" onClick=${() => resend(d.id)} aria-label=${`Resend to ${d.url}`}>Resend</button>`}
          </li>`,
        )}
      </ul>
    </section>
    <section class="card" aria-labelledby="att-h">
      <h2 id="att-h">Attempts</h2>
      ${attempts.length === 0 && html`<p class="muted">No attempts yet.</p>`}
      ${attempts.map(
        (a) => html`<details class="attempt" key=${a.id} open=${attempts.length <= 3}>
          <summary>
            <${StatusBadge} status=${a.status} />
            <span>${a.responseStatusCode ? `HTTP ${a.responseStatusCode}` : 'No response'}</span>
            <span>${duration(a.responseDurationMs)}</span>
            <span class="muted">${triggerName(a.triggerType)}</span>
            <${Time} value=${a.timestamp} />
          </summary>
          <dl class="facts">
            <dt>Endpoint</dt><dd class="mono">${urlOf[a.endpointId] ?? a.url}</dd>
            <dt>Attempt</dt><dd class="mono">${a.id}</dd>
          </dl>
          <p class="label-like">Request headers</p>
          ${
            a.requestHeaders
              ? html`<dl class="facts request-headers" aria-label="Request headers">
                  ${Object.entries(a.requestHeaders).map(
                    ([name, value]) =>
                      html`<dt class="mono">${name}</dt><dd class="mono">${value}</dd>`,
                  )}
                </dl>`
              : html`<p class="muted small">Not recorded for this attempt.</p>`
          }
          <p class="label-like">Response body</p>
          ${
            a.responseHidden === 'private_destination'
              ? html`<p class="notice hidden-response">Hidden: private destination. This endpoint's address is on the webhook service's private network, so only its operator can read the answer.</p>`
              : html`<pre class="response">${a.response ? prettyJson(a.response) : '(empty)'}</pre>`
          }
        </details>`,
      )}
    </section>`;
}
