// A table of delivery attempts: when, result, status code, duration, trigger; each opens its
// message.

import { duration } from '/assets/lib/format.js';
import { html } from '/assets/lib/html.js';
import { Link } from '../router.js';
import { StatusBadge, Time, triggerName } from '../ui.js';

export function AttemptTable({ attempts, empty = 'No attempts yet.' }) {
  if (!attempts.length) return html`<p class="muted">${empty}</p>`;
  return html`<div class="table-wrap"><table>
    <thead><tr><th>Time</th><th>Result</th><th>Code</th><th>Duration</th><th class="hide-narrow">Trigger</th><th class="hide-narrow">Message</th></tr></thead>
    <tbody>
      ${attempts.map(
        (a) => html`<tr key=${a.id}>
          <td><${Link} href=${`/portal/messages/${a.msgId}`}><${Time} value=${a.timestamp} /></${Link}></td>
          <td><${StatusBadge} status=${a.status} /></td>
          <td>${a.responseStatusCode || '—'}</td>
          <td>${duration(a.responseDurationMs)}</td>
          <td class="hide-narrow">${triggerName(a.triggerType)}</td>
          <td class="hide-narrow mono small">${a.msgId}</td>
        </tr>`,
      )}
    </tbody>
  </table></div>`;
}
