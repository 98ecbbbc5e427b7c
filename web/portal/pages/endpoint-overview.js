// An endpoint's overview: state (and why it is disabled), secret, delivery chart, recent
// attempts, recovery, and enable/disable/delete.

import { dateTime } from '/assets/lib/format.js';
import { html, useState } from '/assets/lib/html.js';
import { AttemptTable } from '../components/attempt-table.js';
import { RecoverForm } from '../components/recover-form.js';
import { SecretBox } from '../components/secret-box.js';
import { StatsChart } from '../components/stats-chart.js';
import { navigate } from '../router.js';
import { appPath, session } from '../session.js';
import { attemptSummary, useLoad } from '../ui.js';

/** Why an endpoint is disabled, worked out from its last attempt. */
function disabledWhy(last) {
  if (last && last.status === 2) {
    return `Deliveries to it kept failing, so it was disabled (last attempt ${dateTime(last.timestamp)}: ${attemptSummary(last)}). Fix the receiver, then enable it: delivery resumes.`;
  }
  return 'It was disabled by hand. Enable it to resume delivery.';
}

/** A Play page link passed from "Add endpoint", accepted only on this origin. */
function playLink() {
  const view = new URLSearchParams(location.search).get('play');
  try {
    return view && new URL(view).origin === location.origin ? view : null;
  } catch {
    return null;
  }
}

export function EndpointOverview({ endpoint, reload }) {
  const attempts = useLoad(
    () => session.api.get(appPath(`/attempt/endpoint/${endpoint.id}`), { limit: 10 }),
    [endpoint.id, endpoint.updatedAt],
  );
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [error, setError] = useState(null);
  const path = appPath(`/endpoint/${endpoint.id}`);
  const setDisabled = async (disabled) => {
    setError(null);
    try {
      await session.api.patch(path, { disabled });
      reload();
    } catch (e) {
      setError(e);
    }
  };
  const remove = async () => {
    try {
      await session.api.delete(path);
      navigate('/portal/endpoints');
    } catch (e) {
      setError(e);
    }
  };
  const last = attempts.data?.data?.[0];
  const play = playLink();
  return html`
    ${play && html`<p class="notice">Requests to this endpoint are recorded by Play: <a href=${play} target="_blank" rel="noopener noreferrer">open the Play page</a>.</p>`}
    ${
      endpoint.disabled &&
      html`<div class="card disabled-note" role="status">
      <h2>This endpoint is disabled</h2>
      <p>${disabledWhy(last)}</p>
      ${!session.readOnly && html`<button type="button" class="primary" onClick=${() => setDisabled(false)}>Enable</button>`}
    </div>`
    }
    ${error && html`<p class="error" role="alert">${error.detail || error.message}</p>`}
    <div class="overview-grid">
      <${StatsChart} endpoint=${endpoint} />
      <${SecretBox} endpoint=${endpoint} />
    </div>
    <section class="card" aria-labelledby="attempts-h">
      <div class="page-head">
        <h2 id="attempts-h">Recent attempts</h2>
        <button type="button" onClick=${attempts.reload}>Refresh</button>
      </div>
      <${AttemptTable} attempts=${attempts.data?.data ?? []} />
    </section>
    ${!session.readOnly && html`<${RecoverForm} endpoint=${endpoint} onDone=${attempts.reload} />`}
    ${
      !session.readOnly &&
      html`<section class="card" aria-labelledby="manage-h">
      <h2 id="manage-h">Manage</h2>
      <div class="row">
        ${
          endpoint.disabled
            ? html`<button type="button" onClick=${() => setDisabled(false)}>Enable endpoint</button>`
            : html`<button type="button" onClick=${() => setDisabled(true)}>Disable endpoint</button>`
        }
        ${
          confirmDelete
            ? html`<button type="button" class="danger" onClick=${remove}>Yes, delete it</button>
              <button type="button" onClick=${() => setConfirmDelete(false)}>Keep it</button>`
            : html`<button type="button" class="danger" onClick=${() => setConfirmDelete(true)}>Delete endpoint</button>`
        }
      </div>
    </section>`
    }`;
}
