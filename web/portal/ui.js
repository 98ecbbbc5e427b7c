// Small building blocks shared by the portal's pages.

import { dateTime, duration } from '/assets/lib/format.js';
import { html, useCallback, useEffect, useState } from '/assets/lib/html.js';

/** Delivery and attempt statuses as the API numbers them. */
export const statusNames = { 0: 'Succeeded', 1: 'Pending', 2: 'Failed', 3: 'Sending' };
const statusTone = { 0: 'ok', 1: 'warn', 2: 'bad', 3: 'warn' };

export function StatusBadge({ status }) {
  return html`<span class=${`badge ${statusTone[status] ?? ''}`}>${statusNames[status] ?? 'Unknown'}</span>`;
}

/** "HTTP 200 · 12 ms" (or "No response" when nothing came back). */
export function attemptSummary(attempt) {
  const code = attempt.responseStatusCode ? `HTTP ${attempt.responseStatusCode}` : 'No response';
  return `${code} · ${duration(attempt.responseDurationMs)}`;
}

export const triggerName = (type) => (type === 1 ? 'Manual' : 'Scheduled');

export function Time({ value }) {
  return html`<time datetime=${value}>${dateTime(value)}</time>`;
}

/**
 * Loads data with `load()` on mount and whenever `deps` change. Returns
 * `{data, error, loading, reload}`.
 */
export function useLoad(load, deps) {
  const [state, setState] = useState({ data: null, error: null, loading: true });
  const run = useCallback(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => live && setState({ data, error: null, loading: false }),
      (error) => live && setState({ data: null, error, loading: false }),
    );
    return () => {
      live = false;
    };
  }, deps);
  useEffect(run, [run]);
  return { ...state, reload: run };
}

/** What went wrong, in words (403 and 404 both read as "not found" to the customer). */
export function ErrorNote({ error, what = 'This' }) {
  if (!error) return null;
  if (error.status === 404 || error.status === 403) {
    return html`<div class="card" role="alert"><h1>Not found</h1><p>${what} does not exist, or this link cannot see it.</p></div>`;
  }
  return html`<p class="error" role="alert">${error.detail || error.message}</p>`;
}

export function Loading() {
  return html`<p class="muted" role="status">Loading…</p>`;
}

/** Older/newer buttons over the API's iterators (`first`: this is the newest page). */
export function Pager({ page, onPage, first }) {
  if (!page) return null;
  const older = page.done ? null : page.iterator;
  const newer = first ? null : page.prevIterator;
  if (!older && !newer) return null;
  return html`<div class="row pager">
    <button type="button" disabled=${!newer} onClick=${() => onPage(newer)}>← Newer</button>
    <button type="button" disabled=${!older} onClick=${() => onPage(older)}>Older →</button>
  </div>`;
}

/** Calls `fn` every `ms` until it returns true or `deadlineMs` passes. */
export function poll(fn, ms, deadlineMs) {
  const until = Date.now() + deadlineMs;
  let timer;
  let stopped = false;
  const tick = async () => {
    if (stopped) return;
    let done = false;
    try {
      done = await fn();
    } catch {
      done = false;
    }
    if (!done && !stopped && Date.now() < until) timer = setTimeout(tick, ms);
  };
  tick();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

/** A `datetime-local` value for a time: local "YYYY-MM-DDTHH:MM". */
export function localInput(ms) {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}

/** A `datetime-local` value as an ISO timestamp, or undefined when empty. */
export const inputIso = (value) => (value ? new Date(value).toISOString() : undefined);

/** The first example of an event type's newest schema version, or null. */
export function exampleOf(eventType) {
  const schemas = eventType?.schemas;
  if (!schemas) return null;
  const versions = Object.keys(schemas).sort((a, b) => Number(b) - Number(a));
  const schema = versions.length ? schemas[versions[0]] : null;
  return Array.isArray(schema?.examples) && schema.examples.length ? schema.examples[0] : null;
}

export function schemaOf(eventType) {
  const schemas = eventType?.schemas;
  if (!schemas) return null;
  const versions = Object.keys(schemas).sort((a, b) => Number(b) - Number(a));
  return versions.length ? schemas[versions[0]] : null;
}
