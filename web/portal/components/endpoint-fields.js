// The fields an endpoint is created and edited with: URL, description, event types, channels
// and rate limit.
import { html } from '/assets/lib/html.js';
import { EventTypePicker } from './event-type-picker.js';

/** Form state from an endpoint (or the empty form). */
export const fieldsOf = (endpoint) => ({
  url: endpoint?.url ?? '',
  description: endpoint?.description ?? '',
  filterTypes: endpoint?.filterTypes ?? [],
  channels: (endpoint?.channels ?? []).join(', '),
  rateLimit: endpoint?.rateLimit ?? '',
});

/** The API body for the form state. */
export function bodyOf(form) {
  const channels = form.channels
    .split(',')
    .map((c) => c.trim())
    .filter(Boolean);
  return {
    url: form.url.trim(),
    description: form.description,
    filterTypes: form.filterTypes.length ? form.filterTypes : null,
    channels: channels.length ? channels : null,
    rateLimit: form.rateLimit === '' ? null : Number(form.rateLimit),
  };
}

export function EndpointFields({ form, setForm, types, urlExtra = null }) {
  const set = (name) => (e) => setForm({ ...form, [name]: e.currentTarget.value });
  return html`
    <label for="ep-url">Endpoint URL</label>
    <div class="row nowrap">
      <input id="ep-url" type="url" required placeholder="https://example.com/webhooks" value=${form.url} onInput=${set('url')} />
      ${urlExtra}
    </div>
    <label for="ep-description">Description</label>
    <input id="ep-description" value=${form.description} onInput=${set('description')} placeholder="What this endpoint is for" />
    <${EventTypePicker} types=${types} selected=${form.filterTypes} onChange=${(filterTypes) => setForm({ ...form, filterTypes })} />
    <div class="grid-2">
      <div>
        <label for="ep-channels">Channels</label>
        <input id="ep-channels" value=${form.channels} onInput=${set('channels')} placeholder="Optional, comma-separated" />
      </div>
      <div>
        <label for="ep-rate">Rate limit (per second)</label>
        <input id="ep-rate" type="number" min="0" max="65535" value=${form.rateLimit} onInput=${set('rateLimit')} placeholder="No limit" />
      </div>
    </div>`;
}
