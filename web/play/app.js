// Play: the live page of one inbox (`/play/{id}`), and the page that gets a new Play URL
// (`/play/`). Everything comes from the public API; a request's headers and body are
// untrusted and are rendered as text only.
import { ApiError, createApi } from '/assets/lib/api.js';
import { dateTime, prettyJson } from '/assets/lib/format.js';
import { html, render, useEffect, useRef, useState } from '/assets/lib/html.js';

const pollMs = 1000;
const inboxId = /^\/play\/([0-9a-f]{32})\/?$/.exec(location.pathname)?.[1] ?? null;
const api = createApi(() => null);

/** What a person reads for each signature verdict. */
const verdicts = {
  valid: { text: 'signature valid', tone: 'ok' },
  invalid: { text: 'signature invalid', tone: 'bad' },
  unsigned: { text: 'not signed', tone: 'warn' },
  'no-endpoint': { text: 'no endpoint attached', tone: '' },
};

function SignatureBadge({ signature }) {
  const verdict = verdicts[signature.status] ?? { text: signature.status, tone: '' };
  return html`<span class=${`badge ${verdict.tone}`}>${verdict.text}</span>`;
}

/** Bytes as "812 B", "3.4 KiB". */
function size(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  const fixed = (n) => (Number.isInteger(n) ? String(n) : n.toFixed(1));
  if (bytes < 1024 * 1024) return `${fixed(bytes / 1024)} KiB`;
  return `${fixed(bytes / 1024 / 1024)} MiB`;
}

function headerValue(request, name) {
  return request.headers.find((h) => h.name === name)?.value ?? '';
}

/** The body as text to show: JSON indented, form fields one per line, the rest as it came. */
function formattedBody(request) {
  if (request.bodyEncoding === 'base64') return request.body;
  const type = headerValue(request, 'content-type');
  if (type.includes('application/x-www-form-urlencoded')) {
    try {
      return [...new URLSearchParams(request.body)].map(([k, v]) => `${k} = ${v}`).join('\n');
    } catch {
      return request.body;
    }
  }
  return prettyJson(request.body);
}

function RequestDetail({ request }) {
  const signature = request.signature;
  return html`<section class="card play-detail" aria-label="Request details">
    <h2 class="play-line">
      <span class="mono">${request.method}</span>
      <span class="mono play-path">${request.path}</span>
    </h2>
    <p class="row">
      <${SignatureBadge} signature=${signature} />
      <span class="muted">${signature.detail}</span>
    </p>
    ${signature.endpointId && html`<p class="muted">Endpoint <span class="mono">${signature.endpointId}</span></p>`}
    <p class="muted">${`Received ${dateTime(request.receivedAt)}`}</p>
    <h3>Headers</h3>
    <div class="table-wrap">
      <table>
        <thead><tr><th scope="col">Name</th><th scope="col">Value</th></tr></thead>
        <tbody>
          ${request.headers.map(
            (h, i) =>
              html`<tr key=${i}><td class="mono">${h.name}</td><td class="mono play-value">${h.value}</td></tr>`,
          )}
        </tbody>
      </table>
    </div>
    <h3>Body</h3>
    <p class="muted">
      ${`${size(request.bodySize)}${request.bodyEncoding === 'base64' ? ', binary (shown as base64)' : ''}${request.bodyTruncated ? ' · only the first bytes were kept' : ''}`}
    </p>
    ${
      request.bodySize === 0
        ? html`<p class="muted">(empty)</p>`
        : html`<pre aria-label="Request body">${formattedBody(request)}</pre>`
    }
  </section>`;
}

function RequestList({ requests, selected, onSelect }) {
  return html`<ul class="play-list" aria-label="Requests received">
    ${[...requests].reverse().map(
      (r) => html`<li key=${r.id}>
        <button
          type="button"
          aria-pressed=${selected === r.id ? 'true' : 'false'}
          onClick=${() => onSelect(r.id)}
        >
          <span class="mono play-method">${r.method}</span>
          <span class="muted">${dateTime(r.receivedAt)}</span>
          <${SignatureBadge} signature=${r.signature} />
        </button>
      </li>`,
    )}
  </ul>`;
}

function CopyField({ label, value }) {
  const [copied, setCopied] = useState(false);
  const input = useRef(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied(true);
    } catch {
      input.current?.select();
    }
  };
  return html`<label for="play-url">${label}</label>
    <div class="row play-copy">
      <input id="play-url" ref=${input} readonly value=${value} class="mono" />
      <button type="button" onClick=${copy}>${copied ? 'Copied' : 'Copy'}</button>
    </div>`;
}

/** Polls for new requests once a second, from the last one seen. */
function useRequests(id, limit) {
  const [requests, setRequests] = useState([]);
  const [problem, setProblem] = useState(null);
  useEffect(() => {
    let stopped = false;
    let timer = 0;
    let last = null;
    const poll = async () => {
      try {
        for (;;) {
          const page = await api.get(`/play/inbox/${id}/request`, { after: last, limit: 100 });
          if (stopped) return;
          if (page.data.length > 0) {
            last = page.data[page.data.length - 1].id;
            setRequests((old) => [...old, ...page.data].slice(-limit));
          }
          if (page.done) break;
        }
        setProblem(null);
      } catch (error) {
        if (stopped) return;
        if (error instanceof ApiError && (error.status === 404 || error.status === 410)) {
          setProblem(error);
          return; // the inbox is gone: stop polling
        }
        setProblem(error);
      }
      if (!stopped) timer = setTimeout(poll, pollMs);
    };
    poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [id, limit]);
  return { requests, problem };
}

function Inbox({ inbox }) {
  const { requests, problem } = useRequests(inbox.id, inbox.maxRequests);
  const [chosen, setChosen] = useState(null);
  // The newest request is shown until the reader picks one.
  const selected = chosen ?? requests[requests.length - 1]?.id ?? null;
  const request = requests.find((r) => r.id === selected) ?? null;
  const gone = problem && (problem.status === 404 || problem.status === 410);
  return html`<${Header} />
    <main>
      <section class="card">
        <h1>Your Play URL</h1>
        <${CopyField} label="Send requests to" value=${inbox.url} />
        <p class="muted">Put it in an endpoint's URL, or try it from a terminal:</p>
        <pre class="play-curl">${`curl -X POST -H 'content-type: application/json' -d '{"hello":"world"}' ${inbox.url}`}</pre>
        <p class="muted">
          ${`This inbox keeps the last ${inbox.maxRequests} requests and the first ${size(inbox.maxBodyBytes)} of each body, until ${dateTime(inbox.expiresAt)}. Anyone with this page's address can read it.`}
        </p>
      </section>
      <p role="status" class=${problem ? 'error' : 'muted'}>
        ${
          gone
            ? problem.status === 410
              ? 'This inbox has expired: get a new Play URL.'
              : 'This inbox no longer exists.'
            : problem
              ? `Cannot reach Herald right now (${problem.message}); retrying.`
              : `${requests.length} ${requests.length === 1 ? 'request' : 'requests'} · live`
        }
      </p>
      ${
        requests.length === 0
          ? !gone && html`<section class="card"><p>Waiting for the first request…</p></section>`
          : html`<div class="play-grid">
            <${RequestList} requests=${requests} selected=${selected} onSelect=${setChosen} />
            ${request && html`<${RequestDetail} request=${request} />`}
          </div>`
      }
    </main>`;
}

function Header() {
  return html`<header class="top">
    <span class="title">Herald Play</span>
    <a href="/play/">Get a new Play URL</a>
  </header>`;
}

function NewInbox() {
  const fromLink = new URLSearchParams(location.hash.slice(1)).get('key') ?? '';
  const [token, setToken] = useState(fromLink);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const authed = createApi(() => token.trim());
      const inbox = await authed.post('/play/inbox');
      location.assign(inbox.viewUrl);
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };
  return html`<${Header} />
    <main>
      <section class="card">
        <h1>Get a Play URL</h1>
        <p>
          Play gives you a temporary address on this Herald that records every request sent to
          it, and shows them here as they arrive, with whether each signature verifies.
        </p>
        <form onSubmit=${submit}>
          <label for="play-token">API token (the operator token or a portal token)</label>
          <input
            id="play-token"
            type="password"
            autocomplete="off"
            value=${token}
            onInput=${(e) => setToken(e.currentTarget.value)}
            required
          />
          <p class="row">
            <button type="submit" class="primary" disabled=${busy}>Get a Play URL</button>
          </p>
          ${error && html`<p class="error" role="alert">${error.message}</p>`}
        </form>
      </section>
    </main>`;
}

function Missing({ error }) {
  return html`<${Header} />
    <main class="center-page">
      <h1>${error.status === 410 ? 'This Play inbox has expired' : 'No such Play inbox'}</h1>
      <p>${error.message}</p>
      <p><a href="/play/">Get a new Play URL</a></p>
    </main>`;
}

function App() {
  const [state, setState] = useState(inboxId ? { loading: true } : { create: true });
  useEffect(() => {
    if (!inboxId) return;
    api
      .get(`/play/inbox/${inboxId}`)
      .then((inbox) => setState({ inbox }))
      .catch((error) => setState({ error }));
  }, []);
  if (state.create) return html`<${NewInbox} />`;
  if (state.error) return html`<${Missing} error=${state.error} />`;
  if (state.inbox) return html`<${Inbox} inbox=${state.inbox} />`;
  return html`<main><p class="muted">Loading…</p></main>`;
}

if (location.pathname !== '/play/' && location.pathname !== '/play' && !inboxId) {
  render(
    html`<${Missing} error=${{ status: 404, message: 'This address is not a Play inbox.' }} />`,
    document.getElementById('root'),
  );
} else {
  render(html`<${App} />`, document.getElementById('root'));
}
