// Add endpoint: URL (or a Play URL), description, event types from the catalogue, channels
// and rate limit.
import { html, useState } from '/assets/lib/html.js';
import { bodyOf, EndpointFields, fieldsOf } from '../components/endpoint-fields.js';
import { Link, navigate } from '../router.js';
import { appPath, eventTypes, session } from '../session.js';
import { ErrorNote, Loading, useLoad } from '../ui.js';

/** A Play inbox's page address, accepted only on this origin. */
const sameOrigin = (url) => {
  try {
    return new URL(url).origin === location.origin ? url : null;
  } catch {
    return null;
  }
};

export function EndpointNewPage() {
  const types = useLoad(eventTypes, []);
  const [form, setForm] = useState(fieldsOf(null));
  const [play, setPlay] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);

  if (session.readOnly) return html`<p>This link is read-only.</p>`;

  const usePlay = async () => {
    setError(null);
    try {
      const inbox = await session.api.post('/play/inbox');
      setPlay(inbox);
      setForm({ ...form, url: inbox.url });
    } catch (e) {
      setError(e);
    }
  };

  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const created = await session.api.post(appPath('/endpoint'), bodyOf(form));
      const view = play && form.url === play.url ? sameOrigin(play.viewUrl) : null;
      navigate(`/portal/endpoints/${created.id}${view ? `?play=${encodeURIComponent(view)}` : ''}`);
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  return html`
    <nav class="crumbs" aria-label="Breadcrumb"><${Link} href="/portal/endpoints">Endpoints</${Link}> /</nav>
    <h1>Add endpoint</h1>
    <form class="card" onSubmit=${submit}>
      ${types.loading && html`<${Loading} />`}
      ${types.error && html`<${ErrorNote} error=${types.error} />`}
      <${EndpointFields}
        form=${form}
        setForm=${setForm}
        types=${types.data ?? []}
        urlExtra=${html`<button type="button" onClick=${usePlay}>Use a Play URL</button>`}
      />
      ${play && html`<p class="muted small">Play records every request sent to this URL, so you can see what arrives before your own receiver is ready.</p>`}
      ${error && html`<p class="error" role="alert">${error.detail || error.message}</p>`}
      <div class="row actions">
        <button type="submit" class="primary" disabled=${busy}>Create endpoint</button>
        <${Link} href="/portal/endpoints">Cancel</${Link}>
      </div>
    </form>`;
}
