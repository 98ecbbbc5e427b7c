// Fourvenues: `{id, event, payload}` bodies verified with the sign_secret; 40 retries with
// growing backoff, then the event is failed and the endpoint stays enabled.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type FourvenuesEvent, fourvenuesReceiver } from '../../examples/fourvenues/receiver.ts';
import { setup } from '../../examples/fourvenues/setup.ts';
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

test('Fourvenues receivers verify and parse every event; failures get 40 retries, then fail', async () => {
  const t = await createTestApp({ random: noJitter });
  const api = client(t).apiCall;
  const received: FourvenuesEvent[] = [];
  const at: number[] = [];
  let status = 200;
  let signSecret = '';
  const server = fourvenuesReceiver(
    () => signSecret,
    (event) => {
      received.push(event);
      at.push(t.clock.now());
      return status;
    },
  );
  const url = await listen(server);
  try {
    const config = await setup(api, { customer: 'club-rojo', url });
    signSecret = config.signSecret;

    const paid = await api<{ id: string }>('POST', `/api/v1/app/${config.appId}/msg`, {
      eventType: 'payment.success',
      payload: { amount: 4200, currency: 'EUR', ticket: 'tk_1' },
    });
    await t.dispatcher.runDue();
    assert.deepEqual(received, [
      {
        id: paid.id,
        event: 'payment.success',
        payload: { amount: 4200, currency: 'EUR', ticket: 'tk_1' },
      },
    ]);

    status = 500;
    const refund = await api<{ id: string }>('POST', `/api/v1/app/${config.appId}/msg`, {
      eventType: 'ticket.request_refund',
      payload: { ticket: 'tk_2' },
    });
    const first = received.length;
    await driveRetries(t, 100);
    const attempts = received.filter((e) => e.id === refund.id);
    assert.equal(attempts.length, 41, 'the first attempt and 40 retries');
    // The growing backoff: 30 s, then each wait 1.5 times the one before, at most 3 h.
    const waits = at.slice(first).map((time, i, all) => (time - (all[i - 1] ?? time)) / 1000);
    assert.deepEqual(
      waits.slice(1),
      Array.from({ length: 40 }, (_, i) => Math.min(10_800, Math.round(30 * 1.5 ** i))),
    );
    const destinations = await api<{ data: { status: number; nextAttempt: string | null }[] }>(
      'GET',
      `/api/v1/app/${config.appId}/msg/${refund.id}/endpoint`,
    );
    assert.deepEqual(
      destinations.data.map((d) => [d.status, d.nextAttempt]),
      [[2, null]],
    );
    const endpoint = await api<{ disabled: boolean }>(
      'GET',
      `/api/v1/app/${config.appId}/endpoint/${config.endpointId}`,
    );
    assert.equal(endpoint.disabled, false, 'Fourvenues marks the event failed, not the endpoint');
  } finally {
    await close(server);
    await t.close();
  }
});

test('in real time, the growing backoff is kept to the second and the event then fails', async () => {
  const t = await createTestApp({ realTime: true, random: noJitter });
  const api = client(t).apiCall;
  const arrivals: number[] = [];
  let signSecret = '';
  const server = fourvenuesReceiver(
    () => signSecret,
    () => {
      arrivals.push(Date.now());
      return 500;
    },
  );
  try {
    const config = await setup(api, { customer: 'club-azul', url: await listen(server) });
    signSecret = config.signSecret;
    // The preset's rule (40 retries from 30 s, ×1.5) shortened to one that runs in seconds:
    // 3 retries from 1 s, ×2, up to 4 s.
    const retry = { retries: 3, initialSeconds: 1, factor: 2, maxSeconds: 4 };
    await api('PATCH', `/api/v1/app/${config.appId}`, {
      policy: { preset: 'fourvenues', retry },
    });
    const refund = await api<{ id: string }>('POST', `/api/v1/app/${config.appId}/msg`, {
      eventType: 'ticket.request_refund',
      payload: { ticket: 'tk_3' },
    });
    const status = async () =>
      (
        await api<{ data: { status: number }[] }>(
          'GET',
          `/api/v1/app/${config.appId}/msg/${refund.id}/endpoint`,
        )
      ).data[0]?.status;
    await waitFor('the event failed', async () => (await status()) === 2, 7000 + 4 * onTimeMs);
    assertSpacing(arrivals, [1, 2, 4]);
    const endpoint = await api<{ disabled: boolean }>(
      'GET',
      `/api/v1/app/${config.appId}/endpoint/${config.endpointId}`,
    );
    assert.equal(endpoint.disabled, false, 'the endpoint stays enabled');
  } finally {
    await close(server);
    await t.close();
  }
});

test('Fourvenues never disables an endpoint, however long it keeps failing', async () => {
  const t = await createTestApp({ random: noJitter });
  const api = client(t).apiCall;
  let signSecret = '';
  let failures = 0;
  let status = 500;
  const server = fourvenuesReceiver(
    () => signSecret,
    () => {
      failures++;
      return status;
    },
  );
  try {
    const config = await setup(api, { customer: 'club-rojo', url: await listen(server) });
    signSecret = config.signSecret;
    const start = t.clock.now();
    // One message's 41 attempts span about 3.5 days: two in a row fail for about 7 days,
    // longer than the server's 5-day failure window.
    for (const ticket of ['tk_1', 'tk_2']) {
      await api('POST', `/api/v1/app/${config.appId}/msg`, {
        eventType: 'ticket.request_refund',
        payload: { ticket },
      });
      await driveRetries(t, 100);
    }
    assert.ok(t.clock.now() - start > 120 * 3_600_000, 'failing for longer than 5 days');
    assert.equal(failures, 82, 'both messages got all 41 attempts');
    const endpoint = await api<{ disabled: boolean }>(
      'GET',
      `/api/v1/app/${config.appId}/endpoint/${config.endpointId}`,
    );
    assert.equal(endpoint.disabled, false);

    // Not even 410 Gone disables it: that message is failed at once.
    status = 410;
    const gone = await api<{ id: string }>('POST', `/api/v1/app/${config.appId}/msg`, {
      eventType: 'ticket.request_refund',
      payload: { ticket: 'tk_3' },
    });
    await driveRetries(t, 5);
    const after = await api<{ disabled: boolean }>(
      'GET',
      `/api/v1/app/${config.appId}/endpoint/${config.endpointId}`,
    );
    assert.equal(after.disabled, false, '410 Gone');
    const destinations = await api<{ data: { status: number }[] }>(
      'GET',
      `/api/v1/app/${config.appId}/msg/${gone.id}/endpoint`,
    );
    assert.deepEqual(
      destinations.data.map((d) => d.status),
      [2],
    );
  } finally {
    await close(server);
    await t.close();
  }
});
