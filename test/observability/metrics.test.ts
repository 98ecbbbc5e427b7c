// GET /metrics on a real Herald (serve(), its dispatcher, a receiver on 127.0.0.1): the text
// parses as Prometheus exposition, and the counters, histograms and gauges move as messages
// are delivered, fail, and endpoints are disabled.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type InProcessHerald, startInProcessHerald } from '../helpers/herald-process.ts';
import { type Exposition, parsePrometheus } from '../helpers/prometheus.ts';
import { type Receiver, startReceiver } from '../helpers/receiver.ts';

let herald: InProcessHerald;
let ok: Receiver;
let failing: Receiver;

before(async () => {
  ok = await startReceiver(() => ({ status: 200, body: 'ok' }));
  failing = await startReceiver(() => ({ status: 503, body: 'down' }));
  // One retry, an hour later: a failed delivery stays pending and is not due.
  herald = await startInProcessHerald({ allowedSubnets: ['127.0.0.1/32'], retrySchedule: [3600] });
});

after(async () => {
  await herald?.close();
  await ok?.close();
  await failing?.close();
});

async function api(method: string, path: string, body?: unknown) {
  const response = await fetch(`${herald.url}/api/v1${path}`, {
    method,
    headers: {
      authorization: `Bearer ${herald.token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  assert.ok(response.status < 300, `${method} ${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

async function scrape(): Promise<Exposition> {
  const response = await fetch(`${herald.url}/metrics`);
  assert.equal(response.status, 200);
  assert.match(String(response.headers.get('content-type')), /^text\/plain; version=0\.0\.4/);
  return parsePrometheus(await response.text());
}

/** Scrapes until `check` passes, or fails with its last complaint after `ms`. */
async function eventually(check: (m: Exposition) => void, ms = 15_000): Promise<Exposition> {
  const deadline = Date.now() + ms;
  for (;;) {
    const m = await scrape();
    try {
      check(m);
      return m;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    await sleep(50);
  }
}

test('counters, histograms and gauges move as Herald delivers', { timeout: 60_000 }, async () => {
  const start = await scrape();
  for (const [name, type] of [
    ['herald_attempts_total', 'counter'],
    ['herald_attempt_duration_seconds', 'histogram'],
    ['herald_publish_to_first_attempt_seconds', 'histogram'],
    ['herald_deliveries_pending', 'gauge'],
    ['herald_deliveries_due', 'gauge'],
    ['herald_oldest_due_delivery_age_seconds', 'gauge'],
    ['herald_endpoints_disabled', 'gauge'],
    ['herald_api_requests_total', 'counter'],
    ['herald_store_errors_total', 'counter'],
    ['herald_dispatcher_claim_errors_total', 'counter'],
    ['herald_dispatcher_tick_age_seconds', 'gauge'],
    ['nodejs_eventloop_lag_seconds', 'gauge'],
  ] as const) {
    assert.equal(start.types.get(name), type, name);
  }
  const success = { outcome: 'success', status_class: '2xx' };
  const failure = { outcome: 'http_error', status_class: '5xx' };
  const publishes = { method: 'POST', route: '/api/v1/app/:app_id/msg', status: '202' };

  const good = await api('POST', '/app', { name: 'metrics ok' });
  await api('POST', `/app/${good.id}/endpoint`, { url: ok.url });
  const bad = await api('POST', '/app', { name: 'metrics failing' });
  const badEndpoint = await api('POST', `/app/${bad.id}/endpoint`, { url: failing.url });
  for (let i = 0; i < 5; i++) {
    await api('POST', `/app/${good.id}/msg`, { eventType: 'x.ok', payload: { i } });
  }
  for (let i = 0; i < 2; i++) {
    await api('POST', `/app/${bad.id}/msg`, { eventType: 'x.fail', payload: { i } });
  }

  const moved = await eventually((m) => {
    assert.equal(
      m.value('herald_attempts_total', success) - start.value('herald_attempts_total', success),
      5,
    );
    assert.equal(
      m.value('herald_attempts_total', failure) - start.value('herald_attempts_total', failure),
      2,
    );
    // The two failed deliveries wait an hour for their retry: pending, not due.
    assert.equal(m.value('herald_deliveries_pending'), 2);
  });
  assert.equal(ok.requests.length, 5);
  assert.equal(failing.requests.length, 2);
  const delta = (name: string, labels?: Record<string, string>) =>
    moved.value(name, labels) - start.value(name, labels);
  assert.equal(delta('herald_attempt_duration_seconds_count'), 7);
  assert.equal(delta('herald_publish_to_first_attempt_seconds_count'), 7);
  assert.ok(delta('herald_publish_to_first_attempt_seconds_sum') > 0);
  assert.equal(delta('herald_api_requests_total', publishes), 7);
  assert.equal(moved.value('herald_deliveries_due'), 0);
  assert.equal(moved.value('herald_oldest_due_delivery_age_seconds'), 0);
  assert.equal(moved.value('herald_dispatcher_in_flight'), 0);
  assert.ok(moved.value('herald_dispatcher_tick_age_seconds') < 60);

  // A disabled endpoint is counted; its paused deliveries leave the pending count.
  await api('PUT', `/app/${bad.id}/endpoint/${badEndpoint.id}`, {
    url: failing.url,
    disabled: true,
  });
  await eventually((m) => {
    assert.equal(m.value('herald_endpoints_disabled'), 1);
    assert.equal(m.value('herald_deliveries_pending'), 0);
  });

  // A failed statement is a store error (here a token for an application that does not exist).
  const errorsBefore = moved.value('herald_store_errors_total');
  await assert.rejects(
    herald.store.tokens.create({
      id: 'tok_nowhere',
      hash: 'no-such-hash',
      appId: 'app_that_does_not_exist',
      createdAt: Date.now(),
      expiresAt: null,
      revokedAt: null,
      readOnly: false,
    }),
    /FOREIGN KEY/i,
  );
  const after = await scrape();
  assert.equal(after.value('herald_store_errors_total') - errorsBefore, 1);
});
