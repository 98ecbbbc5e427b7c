// Fast Events: HTTPS only, its X-FE-* headers and User-Agent, a base64 signature of the raw
// body, an empty-body test request whose duration is shown, and an inspectable queue.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  type FastEventsDelivery,
  fastEventsReceiver,
} from '../../examples/fast-events/receiver.ts';
import { setup } from '../../examples/fast-events/setup.ts';
import { client } from '../helpers/client.ts';
import {
  answerSlowly,
  assertSpacing,
  close,
  listen,
  noJitter,
  onTimeMs,
  waitFor,
} from '../helpers/example-api.ts';
import { createTestApp } from '../helpers/test-app.ts';

function selfSignedCertificate(): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'herald-tls-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    return {
      key: readFileSync(join(dir, 'key.pem'), 'utf8'),
      cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('Fast Events receivers get its headers and valid base64 signatures over HTTPS', async () => {
  const tls = selfSignedCertificate();
  const t = await createTestApp({ random: noJitter, ca: tls.cert });
  const api = client(t).apiCall;
  const secret = 'yoursharedsecret';
  const deliveries: FastEventsDelivery[] = [];
  let slowMs = 0;
  const server = fastEventsReceiver(tls, secret, (d) => {
    deliveries.push(d);
    answerSlowly(slowMs);
  });
  try {
    const url = await listen(server, 'https');
    const site = 'https://vinyl-openair.com/';
    const config = await setup(api, { site, url, secret });

    // Plain http is refused for this policy.
    await client(t)
      .call({
        method: 'POST',
        url: `/api/v1/app/${config.appId}/endpoint`,
        body: { url: 'http://127.0.0.1:9/webhooks' },
      })
      .then((r) => assert.equal(r.status, 422));

    const order = await api<{ id: string }>('POST', `/api/v1/app/${config.appId}/msg`, {
      eventType: 'order.created',
      payload: { id: 42, event_id: 7, total: '25.00' },
    });
    await t.dispatcher.runDue();
    const delivery = deliveries[0];
    assert.ok(delivery);
    assert.equal(delivery.signatureValid, true);
    assert.deepEqual(delivery.order, { id: 42, event_id: 7, total: '25.00' });
    const h = delivery.headers;
    assert.equal(h['user-agent'], 'Fast-Events/1.6.0 (WordPress/6.1.1)');
    assert.equal(h['x-fe-webhook-id'], config.endpointId);
    assert.equal(h['x-fe-webhook-source'], site);
    assert.equal(h['x-fe-webhook-topic'], 'order.created');
    assert.equal(h['x-fe-webhook-resource'], 'order');
    assert.equal(h['x-fe-webhook-event'], 'created');
    const attempts = await api<{ data: { id: string; msgId: string }[] }>(
      'GET',
      `/api/v1/app/${config.appId}/attempt/endpoint/${config.endpointId}`,
    );
    assert.equal(h['x-fe-webhook-delivery-id'], attempts.data[0]?.id);
    assert.equal(attempts.data[0]?.msgId, order.id);

    // The "Test webhook" request: empty body, signed, with its duration.
    // The receiver takes 50 ms to answer: the duration shown is that exchange, in ms.
    slowMs = 50;
    const called = performance.now();
    const result = await api<{ success: boolean; statusCode: number; durationMs: number }>(
      'POST',
      `/api/v1/app/${config.appId}/endpoint/${config.endpointId}/test`,
    );
    const elapsed = performance.now() - called;
    slowMs = 0;
    assert.deepEqual([result.success, result.statusCode], [true, 200]);
    assert.ok(
      result.durationMs >= 50 && result.durationMs <= Math.ceil(elapsed),
      `${result.durationMs} ms shown for a 50 ms answer in a ${elapsed} ms call`,
    );
    const probe = deliveries.at(-1);
    assert.equal(probe?.body, '');
    assert.equal(probe?.signatureValid, true);
    assert.equal(probe?.headers['x-fe-webhook-topic'], 'herald.test');

    // The queue is inspectable: a scheduled message waits with its next attempt time.
    const later = new Date(t.clock.now() + 3_600_000).toISOString();
    await api('POST', `/api/v1/app/${config.appId}/msg`, {
      eventType: 'scan.created',
      payload: { ticket: 'T-1' },
      deliverAt: later,
    });
    const queue = await api<{ data: { eventType: string; nextAttempt: string }[] }>(
      'GET',
      `/api/v1/queue?app_id=${config.appId}&endpoint_id=${config.endpointId}`,
    );
    assert.deepEqual(
      queue.data.map((q) => [q.eventType, q.nextAttempt]),
      [['scan.created', later]],
    );
  } finally {
    await close(server as unknown as import('node:http').Server);
    await t.close();
  }
});

test('in real time, a receiver that is down gets the server schedule of retries, then the order fails', async () => {
  const tls = selfSignedCertificate();
  // Fast Events' rule is the server's schedule (HERALD_RETRY_SCHEDULE), here 1 s, 2 s.
  const t = await createTestApp({
    realTime: true,
    random: noJitter,
    ca: tls.cert,
    config: { retrySchedule: [1, 2] },
  });
  const api = client(t).apiCall;
  const server = fastEventsReceiver(tls, 'yoursharedsecret', () => {});
  try {
    // The receiver's address, with nothing listening there any more.
    const url = await listen(server, 'https');
    await close(server as unknown as import('node:http').Server);
    const config = await setup(api, {
      site: 'https://vinyl-openair.com/',
      url,
      secret: 'x'.repeat(16),
    });
    const order = await api<{ id: string }>('POST', `/api/v1/app/${config.appId}/msg`, {
      eventType: 'order.created',
      payload: { id: 43 },
    });
    type Attempts = { data: { timestamp: string; response: string }[] };
    const attempts = () =>
      api<Attempts>('GET', `/api/v1/app/${config.appId}/attempt/msg/${order.id}`);
    const status = async () =>
      (
        await api<{ data: { status: number }[] }>(
          'GET',
          `/api/v1/app/${config.appId}/msg/${order.id}/endpoint`,
        )
      ).data[0]?.status;
    await waitFor('the order failed', async () => (await status()) === 2, 3000 + 4 * onTimeMs);
    const tried = (await attempts()).data.reverse();
    assert.ok(
      tried.every((a) => /connect/i.test(a.response)),
      'connection refused each time',
    );
    assertSpacing(
      tried.map((a) => Date.parse(a.timestamp)),
      [1, 2],
    );
  } finally {
    await t.close();
  }
});
