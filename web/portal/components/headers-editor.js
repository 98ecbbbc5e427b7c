// Custom headers sent with every request to the endpoint. Sensitive values (authorization,
// keys, tokens) are never shown: the API returns only their names.
import { html, useState } from '/assets/lib/html.js';
import { appPath, session } from '../session.js';
import { Loading, useLoad } from '../ui.js';

export function HeadersEditor({ endpoint }) {
  const path = appPath(`/endpoint/${endpoint.id}/headers`);
  const { data, reload } = useLoad(() => session.api.get(path), [path]);
  const [name, setName] = useState('');
  const [value, setValue] = useState('');
  const [error, setError] = useState(null);

  const save = async (headers) => {
    setError(null);
    try {
      await session.api.patch(path, { headers });
      reload();
      return true;
    } catch (e) {
      setError(e);
      return false;
    }
  };
  const add = async (event) => {
    event.preventDefault();
    if (await save({ [name.trim()]: value })) {
      setName('');
      setValue('');
    }
  };

  if (!data) return html`<section class="card"><h2>Custom headers</h2><${Loading} /></section>`;
  const rows = [
    ...Object.entries(data.headers).map(([n, v]) => [n, v, false]),
    ...data.sensitive.map((n) => [n, '••••••••', true]),
  ].sort((a, b) => a[0].localeCompare(b[0]));
  return html`<section class="card" aria-labelledby="headers-h">
    <h2 id="headers-h">Custom headers</h2>
    <p class="muted small">Sent with every request to this endpoint. Values of sensitive headers are hidden.</p>
    ${
      rows.length === 0
        ? html`<p class="muted">No custom headers.</p>`
        : html`<div class="table-wrap"><table>
          <thead><tr><th>Name</th><th>Value</th>${!session.readOnly && html`<th><span class="visually-hidden">Actions</span></th>`}</tr></thead>
          <tbody>
            ${rows.map(
              ([n, v, sensitive]) => html`<tr key=${n}>
                <td class="mono">${n}</td>
                <td class="mono">${v}${sensitive && html` <span class="badge">sensitive</span>`}</td>
                ${!session.readOnly && html`<td><button type="button" class="danger" aria-label=${`Remove header ${n}`} onClick=${() => save({ [n]: null })}>Remove</button></td>`}
              </tr>`,
            )}
          </tbody>
        </table></div>`
    }
    ${
      !session.readOnly &&
      html`<form class="grid-3" onSubmit=${add}>
      <div><label for="header-name">Header name</label>
        <input id="header-name" required value=${name} onInput=${(e) => setName(e.currentTarget.value)} placeholder="X-Example" /></div>
      <div><label for="header-value">Value</label>
        <input id="header-value" value=${value} onInput=${(e) => setValue(e.currentTarget.value)} /></div>
      <div class="align-end"><button type="submit">Add header</button></div>
    </form>`
    }
    ${error && html`<p class="error" role="alert">${error.detail || error.message}</p>`}
  </section>`;
}
