// The generic REST API: `/v1/webhooks` registration with a caller-chosen secret, events
// published as `{type, data: {object}}`, hex signatures, the documented envelope with
// previous_data, the test endpoint, and retries immediately, 1 m, 5 m, 30 m, 2 h, then the
// webhook is disabled.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { genericReceiver, type ResourceEvent } from '../../examples/generic-rest/receiver.ts';
import { setup } from '../../examples/generic-rest/setup.ts';
import { client } from '../helpers/client.ts';
import {
  assertSpacing,
  close,
  driveRetries,
  listen,
  noJitter,
  onTimeMs,
  waitFor,
} from '../helpers/example-api.ts';
import { createTestApp } from '../helpers/test-app.ts';

test('generic REST receivers verify every event; 5 failed attempts disable the webhook', async () => {
  const t = await createTestApp({ random: noJitter });
  const api = client(t).apiCall;
  const secret = 'your_webhook_secret';
  const received: { event: ResourceEvent; duplicate: boolean; at: number }[] = [];
  let status = 200;
  const server = genericReceiver(secret, (event, duplicate) => {
    received.push({ event, duplicate, at: t.clock.now() });
    return status;
  });
  try {
    const url = await listen(server);
    const webhook = await setup(api, {
      url,
      secret,
      events: ['resource.created', 'resource.updated', 'resource.deleted'],
    });
    assert.equal(webhook.secret, secret, 'registration answers with the signing secret');

    const listed = await api<{ data: { id: string; events: string[] }[] }>('GET', '/v1/webhooks');
    assert.deepEqual(listed.data[0]?.events, [
      'resource.created',
      'resource.updated',
      'resource.deleted',
    ]);

    const resource = { id: 'res_xyz789', name: 'New Resource', status: 'active' };
    const created = await api<{ id: string }>('POST', '/v1/events', {
      type: 'resource.created',
      data: { object: resource },
    });
    await api('POST', '/v1/events', {
      type: 'resource.updated',
      data: { object: { ...resource, name: 'Updated Resource' } },
      previous: resource,
    });
    await api('POST', '/v1/events', { type: 'user.created', data: { object: { id: 'usr_1' } } });
    await t.dispatcher.runDue();
    assert.deepEqual(
      received.map((r) => [r.event.type, r.event.data.object.name, r.event.previous_data]),
      [
        ['resource.created', 'New Resource', null],
        ['resource.updated', 'Updated Resource', { name: 'New Resource' }],
      ],
    );
    assert.equal(received[0]?.event.id, created.id);
    assert.equal(received[0]?.event.created_at, new Date(t.clock.now()).toISOString());

    await api('POST', '/v1/webhooks/test', {
      webhook_id: webhook.id,
      event_type: 'resource.deleted',
    });
    await t.dispatcher.runDue();
    assert.equal(received.at(-1)?.event.type, 'resource.deleted');

    status = 500;
    const start = t.clock.now();
    await api('POST', '/v1/events', { type: 'resource.deleted', data: { object: resource } });
    const before = received.length;
    await driveRetries(t, 10);
    assert.deepEqual(
      received.slice(before).map((r) => (r.at - start) / 1000),
      [0, 60, 360, 2160, 9360],
    );
    assert.ok(
      received.slice(before + 1).every((r) => r.duplicate),
      'retries carry the same event id',
    );
    const after = await api<{ status: string }>('GET', `/v1/webhooks/${webhook.id}`);
    assert.equal(after.status, 'disabled');

    // Re-enabled by the customer, it receives events again.
    status = 200;
    await api('PATCH', `/v1/webhooks/${webhook.id}`, { status: 'enabled' });
    await api('POST', '/v1/events', {
      type: 'resource.created',
      data: { object: { id: 'res_2' } },
    });
    await t.dispatcher.runDue();
    assert.equal(received.at(-1)?.event.data.object.id, 'res_2');
  } finally {
    await close(server);
    await t.close();
  }
});

test('a wrong secret is rejected by the receiver and recorded as a failed attempt', async () => {
  const t = await createTestApp({ random: noJitter });
  const api = client(t).apiCall;
  const server = genericReceiver('the_receivers_secret', () => 200);
  try {
    const url = await listen(server);
    const webhook = await setup(api, {
      url,
      secret: 'a_different_secret',
      events: ['payment.failed'],
    });
    await api('POST', '/v1/events', { type: 'payment.failed', data: { object: { id: 'pay_1' } } });
    await t.dispatcher.runDue();
    const app = await api<{ id: string }>('GET', '/api/v1/app/default');
    const attempts = await api<{ data: { responseStatusCode: number; response: string }[] }>(
      'GET',
      `/api/v1/app/${app.id}/attempt/endpoint/${webhook.id}`,
    );
    assert.deepEqual(
      attempts.data.map((a) => [a.responseStatusCode, a.response]),
      [[401, '{"error":"Invalid signature"}']],
    );
  } finally {
    await close(server);
    await t.close();
  }
});

test('in real time, 5 failed attempts on schedule disable the webhook', async () => {
  const t = await createTestApp({ realTime: true, random: noJitter });
  const api = client(t).apiCall;
  const secret = 'your_webhook_secret';
  const arrivals: number[] = [];
  const server = genericReceiver(secret, () => {
    arrivals.push(Date.now());
    return 500;
  });
  try {
    const webhook = await setup(api, {
      url: await listen(server),
      secret,
      events: ['resource.deleted'],
    });
    // The preset's waits (1 m, 5 m, 30 m, 2 h) shortened to 1 s each.
    await api('PATCH', `/api/v1/app/default/endpoint/${webhook.id}`, {
      policy: { retry: { schedule: [1, 1, 1, 1] } },
    });
    await api('POST', '/v1/events', { type: 'resource.deleted', data: { object: { id: 'r' } } });
    const disabled = async () =>
      (await api<{ status: string }>('GET', `/v1/webhooks/${webhook.id}`)).status === 'disabled';
    await waitFor('the webhook disabled', disabled, 4000 + 5 * onTimeMs);
    assertSpacing(arrivals, [1, 1, 1, 1]);
  } finally {
    await close(server);
    await t.close();
  }
});
