// Herald's metrics, in the Prometheus text format (prom-client). Counters and histograms
// move as things happen (attempts, API requests, store errors); gauges over the queue and
// the dispatcher are read when scraped. Each Herald has a registry of its own.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { AttemptObservation, DispatcherState } from '../dispatcher/observer.ts';
import type { Clock } from '../domain/clock.ts';
import type { QueueState } from './queue-state.ts';

export type MetricsSources = {
  /** The queue's state (absent: no queue gauges). */
  queue?: QueueState;
  /** This node's dispatcher (absent or null: the node does not deliver). */
  dispatcher?: () => DispatcherState | null;
};

export type Metrics = ReturnType<typeof createMetrics>;

const secondsBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30, 60];
const latencyBuckets = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300,
];

export function createMetrics(deps: {
  clock: Clock;
  sources?: MetricsSources;
  /** Node's own metrics too (CPU, memory, event loop lag, GC): on unless told otherwise. */
  processMetrics?: boolean;
}) {
  const { clock } = deps;
  const sources: MetricsSources = { ...deps.sources };
  const registry = new Registry();
  if (deps.processMetrics !== false) collectDefaultMetrics({ register: registry });

  const attempts = new Counter({
    name: 'herald_attempts_total',
    help: 'Delivery attempts recorded, by outcome (success, http_error, or why nothing came back: timeout, connection_failed, ...) and response status class (2xx ... 5xx, none).',
    labelNames: ['outcome', 'status_class'] as const,
    registers: [registry],
  });
  const attemptDuration = new Histogram({
    name: 'herald_attempt_duration_seconds',
    help: 'How long attempts took, from sending the request to the end of the response.',
    buckets: secondsBuckets,
    registers: [registry],
  });
  const firstAttemptLatency = new Histogram({
    name: 'herald_publish_to_first_attempt_seconds',
    help: 'From a message being published to the start of the first attempt of each of its deliveries (a message published with deliverAt counts its wait).',
    buckets: latencyBuckets,
    registers: [registry],
  });
  const apiRequests = new Counter({
    name: 'herald_api_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status code.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const storeErrors = new Counter({
    name: 'herald_store_errors_total',
    help: 'Database statements or transactions that failed (constraint refusals excluded).',
    registers: [registry],
  });

  const queueGauge = (name: string, help: string) =>
    new Gauge({ name, help, registers: [registry] });
  const pending = queueGauge(
    'herald_deliveries_pending',
    'Deliveries waiting for an attempt or in one, in the whole database (paused ones excluded).',
  );
  const due = queueGauge(
    'herald_deliveries_due',
    'Pending deliveries whose time has come, in the whole database.',
  );
  const oldestDue = queueGauge(
    'herald_oldest_due_delivery_age_seconds',
    'How long the longest-waiting due delivery has been due (0: none is due).',
  );
  const disabled = queueGauge('herald_endpoints_disabled', 'Endpoints disabled now.');
  new Gauge({
    name: 'herald_queue_read_timestamp_seconds',
    help: 'When the queue gauges were read from the database (they are shared for up to a second).',
    registers: [registry],
    async collect() {
      if (!sources.queue) return;
      try {
        const q = await sources.queue.read();
        pending.set(q.pending);
        due.set(q.due);
        oldestDue.set(q.oldestDueAt === null ? 0 : Math.max(0, q.readAt - q.oldestDueAt) / 1000);
        disabled.set(q.disabledEndpoints);
        this.set(q.readAt / 1000);
      } catch {
        // The failure is counted in herald_store_errors_total; the gauges keep their values.
      }
    },
  });

  const dispatcherGauge = (
    name: string,
    help: string,
    value: (s: DispatcherState, now: number) => number | null,
  ) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        const state = sources.dispatcher?.();
        const v = state ? value(state, clock.now()) : null;
        if (v === null) this.reset();
        else this.set(v);
      },
    });
  dispatcherGauge('herald_dispatcher_in_flight', 'Attempts being sent or recorded.', (s) =>
    s.running ? s.inFlight : null,
  );
  dispatcherGauge(
    'herald_dispatcher_tick_age_seconds',
    "Seconds since the dispatcher's loop last went round (it sleeps at most max_idle between rounds; far longer means it is stuck).",
    (s, now) => (s.lastTickAt === null ? null : Math.max(0, now - s.lastTickAt) / 1000),
  );
  dispatcherGauge(
    'herald_dispatcher_max_idle_seconds',
    "The longest the dispatcher's loop sleeps between rounds when nothing wakes it.",
    (s) => s.maxIdleMs / 1000,
  );
  new Counter({
    name: 'herald_dispatcher_claim_errors_total',
    help: 'Rounds of the dispatcher loop that failed to claim deliveries (it retries with backoff).',
    registers: [registry],
    collect() {
      const state = sources.dispatcher?.();
      this.reset();
      if (state) this.inc(state.claimErrors);
    },
  });

  // Label sets are few; their children are kept so recording does not hash labels each time.
  const attemptChildren = new Map<string, ReturnType<typeof attempts.labels>>();
  const requestChildren = new Map<string, ReturnType<typeof apiRequests.labels>>();

  return {
    registry,
    contentType: registry.contentType,

    /** Connects the sources made after the metrics (the dispatcher, in `serve`). */
    watch(more: MetricsSources): void {
      Object.assign(sources, more);
    },

    attemptRecorded(o: AttemptObservation): void {
      const code = o.attempt.responseStatusCode;
      const outcome = o.ok ? 'success' : (o.errorCode ?? 'http_error');
      const statusClass = code >= 100 && code < 600 ? `${Math.floor(code / 100)}xx` : 'none';
      const key = `${outcome} ${statusClass}`;
      let child = attemptChildren.get(key);
      if (!child) {
        child = attempts.labels(outcome, statusClass);
        attemptChildren.set(key, child);
      }
      child.inc();
      attemptDuration.observe(o.attempt.responseDurationMs / 1000);
      if (o.attemptNumber === 1 && o.attempt.triggerType === 0) {
        firstAttemptLatency.observe(Math.max(0, o.attempt.createdAt - o.messageCreatedAt) / 1000);
      }
    },

    apiRequest(method: string, route: string, status: number): void {
      const key = `${method} ${status} ${route}`;
      let child = requestChildren.get(key);
      if (!child) {
        child = apiRequests.labels(method, route, String(status));
        requestChildren.set(key, child);
      }
      child.inc();
    },

    storeError(): void {
      storeErrors.inc();
    },

    /** The metrics in the Prometheus text format. */
    render(): Promise<string> {
      return registry.metrics();
    },
  };
}
