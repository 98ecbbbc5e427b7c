// Picks event types from the catalogue, each with its description; none picked means all.
import { html } from '/assets/lib/html.js';

/**
 * @param {{ types: {name: string, description: string}[], selected: string[],
 *   onChange: (names: string[]) => void, disabled?: boolean }} props
 */
export function EventTypePicker({ types, selected, onChange, disabled = false }) {
  const toggle = (name, on) =>
    onChange(on ? [...selected, name] : selected.filter((n) => n !== name));
  return html`<fieldset class="picker" disabled=${disabled}>
    <legend>Event types</legend>
    <p class="muted small">${selected.length === 0 ? 'None picked: this endpoint receives every event.' : `${selected.length} picked: only these are sent.`}</p>
    ${types.length === 0 && html`<p class="muted">The catalogue is empty.</p>`}
    <ul>
      ${types.map(
        (t) => html`<li key=${t.name}>
          <label class="check">
            <input type="checkbox" checked=${selected.includes(t.name)} onChange=${(e) => toggle(t.name, e.currentTarget.checked)} />
            <span><span class="mono">${t.name}</span>${t.description && html`<span class="muted"> — ${t.description}</span>`}</span>
          </label>
        </li>`,
      )}
    </ul>
  </fieldset>`;
}
