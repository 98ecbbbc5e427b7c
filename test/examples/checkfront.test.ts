// Checkfront: JSON, XML or form bodies chosen per webhook, parsed back by a Checkfront-style
// receiver; the Test Webhook request; up to 5 retries, then the webhook is disabled.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkfrontReceiver } from '../../examples/checkfront/receiver.ts';
import { setup } from '../../examples/checkfront/setup.ts';
import { client } from '../helpers/client.ts';
import {
  answerSlowly,
  assertSpacing,
  close,
  driveRetries,
  listen,
  noJitter,
  onTimeMs,
  waitFor,
} from '../helpers/example-api.ts';
import { createTestApp } from '../helpers/test-app.ts';

const booking = {
  event: 'booking.create',
  booking: {
    id: 123456,
    status: 'CONFIRMED',
    customer: { name: 'John Doe', email: 'john@example.com' },
    items: [{ id: 987, name: 'City Tour', quantity: 2 }],
  },
};

test('each format arrives and parses back to the published booking', async () => {
  const t = await createTestApp({ random: noJitter });
  const api = client(t).apiCall;
  const received: { format: string; event: Record<string, unknown>; type: string }[] = [];
  try {
    for (const format of ['json', 'xml', 'form'] as const) {
      const server = checkfrontReceiver((event, type) => {
        received.push({ format, event, type });
        return 200;
      });
      const url = await listen(server);
      const config = await setup(api, { account: `tours-${format}`, url, format });
      await api('POST', `/api/v1/app/${config.appId}/msg`, {
        eventType: 'booking.create',
        payload: booking,
      });
      await t.dispatcher.runDue();
      await close(server);
    }
    const byFormat = Object.fromEntries(received.map((r) => [r.format, r]));
    assert.deepEqual(byFormat.json?.event, booking);
    assert.equal(byFormat.json?.type, 'application/json');
    // XML carries types, so it rebuilds the booking exactly.
    assert.deepEqual(byFormat.xml?.event, booking);
    assert.equal(byFormat.xml?.type, 'application/xml');
    // A form carries text: the same structure, every scalar as a string.
    assert.deepEqual(byFormat.form?.event, {
      event: 'booking.create',
      booking: {
        id: '123456',
        status: 'CONFIRMED',
        customer: { name: 'John Doe', email: 'john@example.com' },
        items: [{ id: '987', name: 'City Tour', quantity: '2' }],
      },
    });
    assert.equal(byFormat.form?.type, 'application/x-www-form-urlencoded');
  } finally {
    await t.close();
  }
});

test('the Test Webhook request reports status and duration; 5 failed retries disable the webhook', async () => {
  const t = await createTestApp({ random: noJitter });
  const api = client(t).apiCall;
  let status = 200;
  let count = 0;
  let slowMs = 0;
  const at: number[] = [];
  const server = checkfrontReceiver(() => {
    count++;
    at.push(t.clock.now());
    answerSlowly(slowMs);
    return status;
  });
  try {
    const config = await setup(api, {
      account: 'tours',
      url: await listen(server),
      format: 'json',
    });
    // The receiver takes 50 ms to answer: the duration shown is that exchange, in ms.
    slowMs = 50;
    const called = performance.now();
    const result = await api<{ success: boolean; statusCode: number; durationMs: number }>(
      'POST',
      `/api/v1/app/${config.appId}/endpoint/${config.endpointId}/test`,
    );
    const elapsed = performance.now() - called;
    slowMs = 0;
    assert.equal(result.success, true);
    assert.equal(result.statusCode, 200);
    assert.ok(
      result.durationMs >= 50 && result.durationMs <= Math.ceil(elapsed),
      `${result.durationMs} ms shown for a 50 ms answer in a ${elapsed} ms call`,
    );

    status = 503;
    count = 0;
    at.length = 0;
    await api('POST', `/api/v1/app/${config.appId}/msg`, {
      eventType: 'booking.update',
      payload: booking,
    });
    await driveRetries(t, 20);
    assert.equal(count, 6, 'the first attempt and 5 retries');
    // Checkfront's schedule: 1 min, 5 min, 30 min, 1 h, 2 h.
    assert.deepEqual(
      at.slice(1).map((time, i) => (time - (at[i] ?? 0)) / 1000),
      [60, 300, 1800, 3600, 7200],
    );
    const endpoint = await api<{ disabled: boolean }>(
      'GET',
      `/api/v1/app/${config.appId}/endpoint/${config.endpointId}`,
    );
    assert.equal(endpoint.disabled, true);
  } finally {
    await close(server);
    await t.close();
  }
});

test('in real time, 5 retries on schedule, then the webhook is disabled', async () => {
  const t = await createTestApp({ realTime: true, random: noJitter });
  const api = client(t).apiCall;
  const arrivals: number[] = [];
  const server = checkfrontReceiver(() => {
    arrivals.push(Date.now());
    return 503;
  });
  try {
    const config = await setup(api, {
      account: 'tours-rt',
      url: await listen(server),
      format: 'xml',
    });
    // The preset's waits (1 m, 5 m, 30 m, 1 h, 2 h) shortened to 1 s each.
    await api('PATCH', `/api/v1/app/${config.appId}`, {
      policy: { preset: 'checkfront', retry: { schedule: [1, 1, 1, 1, 1] } },
    });
    await api('POST', `/api/v1/app/${config.appId}/msg`, {
      eventType: 'booking.update',
      payload: booking,
    });
    const disabled = async () =>
      (
        await api<{ disabled: boolean }>(
          'GET',
          `/api/v1/app/${config.appId}/endpoint/${config.endpointId}`,
        )
      ).disabled;
    await waitFor('the webhook disabled', disabled, 5000 + 6 * onTimeMs);
    assertSpacing(arrivals, [1, 1, 1, 1, 1]);
  } finally {
    await close(server);
    await t.close();
  }
});
