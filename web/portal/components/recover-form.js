// "Recover failed messages since …": starts a recovery task and follows it to its end.
import { html, useEffect, useRef, useState } from '/assets/lib/html.js';
import { appPath, session } from '../session.js';
import { inputIso, localInput, poll } from '../ui.js';

export function RecoverForm({ endpoint, onDone }) {
  const [since, setSince] = useState(localInput(Date.now() - 86_400_000));
  const [task, setTask] = useState(null);
  const [error, setError] = useState(null);
  const stop = useRef(null);
  useEffect(() => () => stop.current?.(), []);

  const start = async (event) => {
    event.preventDefault();
    setError(null);
    try {
      const started = await session.api.post(appPath(`/endpoint/${endpoint.id}/recover`), {
        since: inputIso(since),
      });
      setTask(started);
      stop.current?.();
      stop.current = poll(
        async () => {
          const now = await session.api.get(`/background-task/${started.id}`);
          setTask(now);
          if (now.status !== 'running') onDone?.();
          return now.status !== 'running';
        },
        1000,
        120_000,
      );
    } catch (e) {
      setError(e);
    }
  };

  const requeued = task?.data?.requeued;
  return html`<section class="card" aria-labelledby="recover-h">
    <h2 id="recover-h">Recover failed messages</h2>
    <p class="muted small">Every message that failed to reach this endpoint since the time below gets one more attempt.</p>
    <form class="row" onSubmit=${start}>
      <label for="recover-since" class="inline">Since</label>
      <input id="recover-since" type="datetime-local" class="auto" required value=${since} onInput=${(e) => setSince(e.currentTarget.value)} />
      <button type="submit" disabled=${task?.status === 'running'}>Recover</button>
    </form>
    ${
      task &&
      html`<p class="notice" role="status">
      ${
        task.status === 'running'
          ? 'Recovery running…'
          : task.status === 'finished'
            ? `Recovery finished: ${requeued ?? 0} ${requeued === 1 ? 'message' : 'messages'} queued again.`
            : `Recovery failed: ${task.data?.error ?? 'unknown error'}`
      }
    </p>`
    }
    ${error && html`<p class="error" role="alert">${error.detail || error.message}</p>`}
  </section>`;
}
