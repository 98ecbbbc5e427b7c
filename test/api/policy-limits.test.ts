// The operator's limits on delivery policies (HERALD_MAX_TIMEOUT_SECONDS,
// HERALD_MIN_RETRY_INTERVAL_SECONDS, HERALD_MAX_ATTEMPTS): the API refuses a policy beyond
// them with a 422 naming the field and changes nothing, for operators and portal tokens
// alike; policies stored before, and presets, are held within them when delivering.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { client } from '../helpers/client.ts';
import { setPolicy } from '../helpers/fixtures.ts';
import { startReceiver } from '../helpers/receiver.ts';
import { createTestApp } from '../helpers/test-app.ts';

const limits = { maxTimeoutSeconds: 10, minRetryIntervalSeconds: 30, maxAttempts: 4 };

test('a policy beyond the limits is a 422 naming the field, and changes nothing', async () => {
  const t = await createTestApp({
    config: { ...limits, timeoutSeconds: 5, retrySchedule: [30, 60] },
  });
  try {
    const c = client(t);
    const app = await c.createApp({ name: 'limited' });
    const base = `/api/v1/app/${app.id}/endpoint`;
    const portal = await c.portalToken(app.id);
    for (const token of [undefined, portal]) {
      await c.expectValidation(
        {
          method: 'POST',
          url: base,
          token,
          body: { url: 'https://x.example', policy: { timeoutSeconds: 300 } },
        },
        ['body', 'policy', 'timeoutSeconds'],
      );
    }
    await c.expectValidation(
      {
        method: 'POST',
        url: base,
        body: { url: 'https://x.example', policy: { retry: { schedule: [0, 60] } } },
      },
      ['body', 'policy', 'retry', 'schedule'],
    );
    await c.expectValidation(
      {
        method: 'POST',
        url: base,
        body: {
          url: 'https://x.example',
          policy: { retry: { retries: 10, initialSeconds: 30, factor: 2, maxSeconds: 3600 } },
        },
      },
      ['body', 'policy', 'retry', 'retries'],
    );
    assert.equal((await c.ok({ url: base })).data.length, 0, 'nothing was created');

    // At the limits is fine; a change beyond them leaves the endpoint as it was.
    const atLimits = { timeoutSeconds: 10, retry: { schedule: [30, 30, 3600] } };
    const ep = await c.createEndpoint(app.id, { policy: atLimits });
    await c.expectValidation(
      { method: 'PATCH', url: `${base}/${ep.id}`, body: { policy: { timeoutSeconds: 11 } } },
      ['body', 'policy', 'timeoutSeconds'],
    );
    await c.expectValidation(
      {
        method: 'PUT',
        url: `${base}/${ep.id}`,
        body: { url: 'https://x.example', policy: { retry: { schedule: [30, 30, 30, 30] } } },
      },
      ['body', 'policy', 'retry', 'schedule'],
    );
    assert.deepEqual((await c.ok({ url: `${base}/${ep.id}` })).policy, atLimits);

    // An application's policy, and one given inline with a message, are checked the same way.
    await c.expectValidation(
      { method: 'POST', url: '/api/v1/app', body: { name: 'x', policy: { timeoutSeconds: 60 } } },
      ['body', 'policy', 'timeoutSeconds'],
    );
    await c.expectValidation(
      {
        method: 'PATCH',
        url: `/api/v1/app/${app.id}`,
        body: { policy: { retry: { schedule: [1] } } },
      },
      ['body', 'policy', 'retry', 'schedule'],
    );
    await c.expectValidation(
      {
        method: 'POST',
        url: '/api/v1/app/new-app-uid/msg',
        body: {
          eventType: 'a.b',
          payload: {},
          application: { name: 'new', policy: { timeoutSeconds: 60 } },
        },
      },
      ['body', 'application', 'policy', 'timeoutSeconds'],
    );
    await c.expectError({ url: '/api/v1/app/new-app-uid' }, 404, 'not_found');
  } finally {
    await t.close();
  }
});

test('a policy stored before the limits is held to them: a 300 s timeout ends at the longest allowed', async () => {
  const t = await createTestApp({
    realTime: true,
    config: { maxTimeoutSeconds: 1, timeoutSeconds: 1, retrySchedule: [] },
  });
  const receiver = await startReceiver(() => 'hang');
  try {
    const c = client(t);
    const app = await c.createApp({ name: 'stored before' });
    const ep = await c.createEndpoint(app.id, { url: receiver.url });
    await setPolicy(t, ep.id, { timeoutSeconds: 300 });
    const sent = Date.now();
    await c.publish(app.id, { eventType: 'a.b' });
    const attemptsUrl = `/api/v1/app/${app.id}/attempt/endpoint/${ep.id}`;
    let attempts: { response: string; responseDurationMs: number }[] = [];
    while (attempts.length === 0 && Date.now() - sent < 10_000) {
      await sleep(50);
      attempts = (await c.ok({ url: attemptsUrl })).data;
    }
    assert.equal(attempts.length, 1, 'the attempt ended within 10 s');
    assert.match(attempts[0]?.response ?? '', /no complete response within 1000 ms/);
  } finally {
    await t.close();
    await receiver.close();
  }
});
