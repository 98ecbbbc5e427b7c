// Advanced: edit the endpoint (URL, description, event types, channels, rate limit), its
// custom headers and its delivery policy (the API holds it within the operator's limits).
import { html, useState } from '/assets/lib/html.js';
import { bodyOf, EndpointFields, fieldsOf } from '../components/endpoint-fields.js';
import { HeadersEditor } from '../components/headers-editor.js';
import { appPath, eventTypes, session } from '../session.js';
import { useLoad } from '../ui.js';

function EditForm({ endpoint, reload }) {
  const types = useLoad(eventTypes, []);
  const [form, setForm] = useState(fieldsOf(endpoint));
  const [state, setState] = useState(null);
  const submit = async (event) => {
    event.preventDefault();
    setState(null);
    try {
      await session.api.patch(appPath(`/endpoint/${endpoint.id}`), bodyOf(form));
      setState({ saved: true });
      reload();
    } catch (error) {
      setState({ error });
    }
  };
  return html`<form class="card" onSubmit=${submit} aria-labelledby="edit-h">
    <h2 id="edit-h">Endpoint settings</h2>
    <${EndpointFields} form=${form} setForm=${setForm} types=${types.data ?? []} />
    <div class="row actions">
      <button type="submit" class="primary">Save changes</button>
      ${state?.saved && html`<span role="status" class="muted">Saved.</span>`}
      ${state?.error && html`<span role="alert" class="error">${state.error.detail || state.error.message}</span>`}
    </div>
  </form>`;
}

function PolicyForm({ endpoint, reload }) {
  const [text, setText] = useState(endpoint.policy ? JSON.stringify(endpoint.policy, null, 2) : '');
  const [state, setState] = useState(null);
  const submit = async (event) => {
    event.preventDefault();
    setState(null);
    let policy = null;
    if (text.trim()) {
      try {
        policy = JSON.parse(text);
      } catch {
        setState({ error: 'The policy is not valid JSON.' });
        return;
      }
    }
    try {
      await session.api.patch(appPath(`/endpoint/${endpoint.id}`), { policy });
      setState({ saved: true });
      reload();
    } catch (error) {
      setState({ error: error.detail || error.message });
    }
  };
  return html`<form class="card" onSubmit=${submit} aria-labelledby="policy-h">
    <h2 id="policy-h">Delivery policy</h2>
    <p class="muted small">How requests are signed, formatted and retried. Leave empty for the application's policy; values outside what the service allows are refused.</p>
    <label for="policy">Policy (JSON)</label>
    <textarea id="policy" rows="8" class="mono" readOnly=${session.readOnly} value=${text} onInput=${(e) => setText(e.currentTarget.value)} placeholder='{"timeoutSeconds": 10}'></textarea>
    ${
      !session.readOnly &&
      html`<div class="row actions">
      <button type="submit">Save policy</button>
      ${state?.saved && html`<span role="status" class="muted">Saved.</span>`}
      ${state?.error && html`<span role="alert" class="error">${state.error}</span>`}
    </div>`
    }
  </form>`;
}

export function EndpointAdvanced({ endpoint, reload }) {
  return html`
    ${!session.readOnly && html`<${EditForm} key=${endpoint.updatedAt} endpoint=${endpoint} reload=${reload} />`}
    <${HeadersEditor} endpoint=${endpoint} />
    <${PolicyForm} key=${endpoint.updatedAt} endpoint=${endpoint} reload=${reload} />`;
}
