// A JSON schema as a readable tree: each property with its type, whether it is required, and
// its description. Built as elements with text, never as markup.
import { html } from '/assets/lib/html.js';

function typeOf(schema) {
  if (!schema || typeof schema !== 'object') return 'any';
  if (Array.isArray(schema.enum))
    return `one of ${schema.enum.map((v) => JSON.stringify(v)).join(', ')}`;
  const type = Array.isArray(schema.type) ? schema.type.join(' | ') : schema.type;
  if (type === 'array' && schema.items) return `array of ${typeOf(schema.items)}`;
  if (schema.format) return `${type ?? 'string'} (${schema.format})`;
  return type ?? (schema.properties ? 'object' : 'any');
}

function Properties({ schema, depth }) {
  const props = schema?.properties ?? schema?.items?.properties;
  if (!props || typeof props !== 'object' || depth > 6) return null;
  const required = new Set(schema.required ?? schema.items?.required ?? []);
  return html`<ul class="schema-tree">
    ${Object.entries(props).map(
      ([name, sub]) => html`<li key=${name}>
        <span class="mono prop">${name}</span>
        <span class="muted small"> ${typeOf(sub)}</span>
        ${required.has(name) && html`<span class="badge warn small-badge">required</span>`}
        ${sub?.description && html`<div class="small">${String(sub.description)}</div>`}
        <${Properties} schema=${sub} depth=${depth + 1} />
      </li>`,
    )}
  </ul>`;
}

export function SchemaTree({ schema }) {
  if (!schema) return html`<p class="muted small">No schema.</p>`;
  const props = schema.properties ?? schema.items?.properties;
  if (!props) return html`<p class="small">Type: ${typeOf(schema)}</p>`;
  return html`<${Properties} schema=${schema} depth=${0} />`;
}
