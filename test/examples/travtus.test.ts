// Travtus (on Svix): svix-* signatures verified by the Svix library, the Svix retry schedule,
// example events, resend and recover, and the 5-day disable with an operational event.
import assert from 'node:assert/strict';
import { mock, test } from 'node:test';
import { travtusReceiver } from '../../examples/travtus/receiver.ts';
import { setup } from '../../examples/travtus/setup.ts';
import { client } from '../helpers/client.ts';
import {
  assertSpacing,
  close,
  driveRetries,
  listen,
  noJitter,
  onTimeMs,
  syncDateWithClock,
  waitFor,
} from '../helpers/example-api.ts';
import { createTestApp } from '../helpers/test-app.ts';

const hour = 3_600_000;

test('Travtus receivers verify every event; retries follow the Svix schedule; 5 days of failure disable', async () => {
  const t = await createTestApp({ random: noJitter });
  const api = client(t).apiCall;
  syncDateWithClock(t);
  let secret = '';
  let status = 200;
  const received: { event: Record<string, unknown>; at: number }[] = [];
  const server = travtusReceiver(
    () => secret,
    (event) => {
      received.push({ event, at: t.clock.now() });
      return status;
    },
  );
  const operations: string[] = [];
  const ops = (await import('node:http')).createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      operations.push(Buffer.concat(chunks).toString('utf8'));
      res.writeHead(204).end();
    });
  });
  try {
    const url = await listen(server);
    const config = await setup(api, {
      customer: 'acme-living',
      url,
      operationsUrl: await listen(ops),
    });
    secret = config.secret;

    // The testing tab: an example event, verified like any other.
    await api('POST', `/api/v1/app/${config.appId}/endpoint/${config.endpointId}/send-example`, {
      eventType: 'work_order.created',
    });
    await t.dispatcher.runDue();
    assert.deepEqual(received.at(-1)?.event, { workOrderId: 'wo_123', priority: 'high' });

    // Retries: immediately, 5 s, 5 m, 30 m, 2 h, 5 h, 10 h, 10 h.
    status = 503;
    const start = t.clock.now();
    await api('POST', `/api/v1/app/${config.appId}/msg`, {
      eventType: 'resident.moved_in',
      payload: { unit: '4B' },
    });
    const before = received.length;
    await driveRetries(t, 20);
    const offsets = received.slice(before).map((r) => (r.at - start) / 1000);
    assert.deepEqual(offsets, [0, 5, 305, 2105, 9305, 27305, 63305, 99305]);

    // Still failing: messages keep failing for 5 days, then the endpoint is disabled. Every
    // 12 h a new message or a retry fails; the endpoint stays enabled while the failures
    // span less than 120 h, and is disabled by the first failure after that.
    const isDisabled = async () =>
      (
        await api<{ disabled: boolean }>(
          'GET',
          `/api/v1/app/${config.appId}/endpoint/${config.endpointId}`,
        )
      ).disabled;
    const states: string[] = [];
    const expected: string[] = [];
    for (let day = 0; day < 6; day++) {
      t.clock.advance(12 * hour);
      await api('POST', `/api/v1/app/${config.appId}/msg`, {
        eventType: 'resident.moved_in',
        payload: { day },
      });
      for (const half of [0, 1]) {
        if (half === 1) t.clock.advance(12 * hour);
        const failed = received.length;
        await t.dispatcher.runDue();
        const hours = (t.clock.now() - start) / hour;
        const over = hours >= 120;
        // Once disabled, nothing is sent; before, every look at the queue sends and fails.
        if (!over) assert.ok(received.length > failed, `an attempt failed at ${hours} h`);
        states.push(`${hours.toFixed(1)} h: ${(await isDisabled()) ? 'disabled' : 'enabled'}`);
        expected.push(`${hours.toFixed(1)} h: ${over ? 'disabled' : 'enabled'}`);
      }
    }
    assert.deepEqual(states, expected);
    const disabled = operations
      .map((o) => JSON.parse(o) as { type: string; data: { failSince: string } })
      .filter((e) => e.type === 'endpoint.disabled');
    assert.equal(disabled.length, 1);
    // The failures began with the first attempt of the retried message above.
    assert.equal(Date.parse(String(disabled[0]?.data.failSince)), start);

    // Re-enable, then recover every failed message since the start.
    status = 200;
    await api('PATCH', `/api/v1/app/${config.appId}/endpoint/${config.endpointId}`, {
      disabled: false,
    });
    await api('POST', `/api/v1/app/${config.appId}/endpoint/${config.endpointId}/recover`, {
      since: new Date(start).toISOString(),
    });
    await t.backgroundTasks.idle();
    await t.dispatcher.runDue();
    // Every message the endpoint had (failed or paused) is now delivered and verified.
    const deliveries = await api<{ data: { id: string; status: number }[] }>(
      'GET',
      `/api/v1/app/${config.appId}/endpoint/${config.endpointId}/msg?limit=250`,
    );
    assert.ok(deliveries.data.length >= 3);
    assert.deepEqual(
      deliveries.data.filter((d) => d.status !== 0),
      [],
    );
  } finally {
    await close(server);
    await close(ops);
    await t.close();
    mock.timers.reset();
  }
});

test('in real time, retries keep the schedule, then the message is exhausted and the producer told', async () => {
  const t = await createTestApp({ realTime: true, random: noJitter });
  const api = client(t).apiCall;
  let secret = '';
  const arrivals: number[] = [];
  const server = travtusReceiver(
    () => secret,
    () => {
      arrivals.push(Date.now());
      return 503;
    },
  );
  const exhausted: string[] = [];
  const ops = (await import('node:http')).createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      exhausted.push(Buffer.concat(chunks).toString('utf8'));
      res.writeHead(204).end();
    });
  });
  try {
    const config = await setup(api, { customer: 'acme-rt', url: await listen(server) });
    secret = config.secret;
    await api('POST', '/api/v1/operational-webhook/endpoint', {
      url: await listen(ops),
      filterTypes: ['message.attempt.exhausted'],
    });
    // Svix's waits (5 s, 5 m, 30 m, ...) shortened to 1 s, 2 s, 1 s.
    await api('PATCH', `/api/v1/app/${config.appId}`, {
      policy: { preset: 'svix', retry: { schedule: [1, 2, 1] } },
    });
    const msg = await api<{ id: string }>('POST', `/api/v1/app/${config.appId}/msg`, {
      eventType: 'resident.moved_in',
      payload: { unit: '7C' },
    });
    await waitFor('message.attempt.exhausted', () => exhausted.length > 0, 4000 + 5 * onTimeMs);
    assertSpacing(arrivals, [1, 2, 1]);
    const event = JSON.parse(exhausted[0] ?? '{}') as { type: string; data: { msgId: string } };
    assert.equal(event.type, 'message.attempt.exhausted');
    assert.equal(event.data.msgId, msg.id);
  } finally {
    await close(server);
    await close(ops);
    await t.close();
  }
});
