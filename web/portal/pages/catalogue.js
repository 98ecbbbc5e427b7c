// Event catalogue: every event type with its description, schema and example payload.

import { prettyJson } from '/assets/lib/format.js';
import { html, useState } from '/assets/lib/html.js';
import { SchemaTree } from '../components/schema-tree.js';
import { eventTypes } from '../session.js';
import { ErrorNote, exampleOf, Loading, schemaOf, useLoad } from '../ui.js';

export function CataloguePage() {
  const { data, error } = useLoad(eventTypes, []);
  const [filter, setFilter] = useState('');
  if (error) return html`<${ErrorNote} error=${error} />`;
  if (!data) return html`<${Loading} />`;
  const shown = data.filter(
    (t) =>
      !filter ||
      t.name.toLowerCase().includes(filter.toLowerCase()) ||
      (t.description ?? '').toLowerCase().includes(filter.toLowerCase()),
  );
  return html`
    <div class="page-head">
      <h1>Event catalogue</h1>
      <div class="search"><label for="type-filter" class="visually-hidden">Filter event types</label>
        <input id="type-filter" type="search" placeholder="Filter event types" value=${filter} onInput=${(e) => setFilter(e.currentTarget.value)} /></div>
    </div>
    <p class="muted">The events you can subscribe an endpoint to. An endpoint with no event types picked receives all of them.</p>
    ${shown.length === 0 && html`<p class="muted">No event types${filter ? ' match' : ''}.</p>`}
    ${shown.map((t) => {
      const example = exampleOf(t);
      return html`<article class="card event-type" key=${t.name} aria-labelledby=${`et-${t.name}`}>
        <h2 id=${`et-${t.name}`} class="mono">${t.name}</h2>
        ${t.description && html`<p>${t.description}</p>`}
        <div class="grid-2 top">
          <div><h3>Schema</h3><${SchemaTree} schema=${schemaOf(t)} /></div>
          <div><h3>Example</h3>${example === null ? html`<p class="muted small">No example.</p>` : html`<pre>${prettyJson(example)}</pre>`}</div>
        </div>
      </article>`;
    })}`;
}
