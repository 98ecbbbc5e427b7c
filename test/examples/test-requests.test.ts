// The "Test Webhook" request comes in the endpoint's own format: a receiver that parses its
// webhook's format (Checkfront's, per its documentation) or verifies its signature
// (Fourvenues') accepts it. Only a policy that asks for it (Fast Events) sends an empty body.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { checkfrontReceiver } from '../../examples/checkfront/receiver.ts';
import { setup as checkfrontSetup } from '../../examples/checkfront/setup.ts';
import { type FourvenuesEvent, fourvenuesReceiver } from '../../examples/fourvenues/receiver.ts';
import { setup as fourvenuesSetup } from '../../examples/fourvenues/setup.ts';
import { client } from '../helpers/client.ts';
import { close, listen, noJitter } from '../helpers/example-api.ts';
import { startReceiver } from '../helpers/receiver.ts';
import { createTestApp } from '../helpers/test-app.ts';

type TestResult = { success: boolean; statusCode: number | null; durationMs: number };

test('a Checkfront receiver accepts the test request in its webhook format', async () => {
  const t = await createTestApp({ random: noJitter });
  const api = client(t).apiCall;
  try {
    for (const format of ['json', 'xml', 'form'] as const) {
      const received: { event: Record<string, unknown>; type: string }[] = [];
      const server = checkfrontReceiver(
        (event, type) => {
          received.push({ event, type });
          return 200;
        },
        { format },
      );
      try {
        const config = await checkfrontSetup(api, {
          account: `tours-${format}`,
          url: await listen(server),
          format,
        });
        const result = await api<TestResult>(
          'POST',
          `/api/v1/app/${config.appId}/endpoint/${config.endpointId}/test`,
        );
        assert.deepEqual([result.success, result.statusCode], [true, 200], format);
        assert.equal(received.length, 1, format);
        // A Checkfront body names its event; form bodies carry every scalar as text.
        assert.equal(received[0]?.event.event, 'herald.test', format);
        assert.equal(String(received[0]?.event.test), 'true', format);
      } finally {
        await close(server);
      }
    }
  } finally {
    await t.close();
  }
});

test('a signing receiver verifies the test request; an empty body only when the policy asks', async () => {
  const t = await createTestApp({ random: noJitter });
  const api = client(t).apiCall;
  const received: FourvenuesEvent[] = [];
  let signSecret = '';
  const server = fourvenuesReceiver(
    () => signSecret,
    (event) => {
      received.push(event);
      return 200;
    },
  );
  const empty = await startReceiver();
  try {
    const config = await fourvenuesSetup(api, { customer: 'club-rojo', url: await listen(server) });
    signSecret = config.signSecret;
    const result = await api<TestResult>(
      'POST',
      `/api/v1/app/${config.appId}/endpoint/${config.endpointId}/test`,
    );
    assert.deepEqual([result.success, result.statusCode], [true, 200]);
    assert.equal(received[0]?.event, 'herald.test');
    assert.deepEqual(received[0]?.payload, { event: 'herald.test', test: true });

    // A policy may keep the empty-body test request (as Fast Events' preset does).
    const endpoint = await api<{ id: string }>('POST', `/api/v1/app/${config.appId}/endpoint`, {
      url: empty.url,
      policy: { testBody: 'empty' },
    });
    await api('POST', `/api/v1/app/${config.appId}/endpoint/${endpoint.id}/test`);
    const secret = await api<{ key: string }>(
      'GET',
      `/api/v1/app/${config.appId}/endpoint/${endpoint.id}/secret`,
    );
    const probe = empty.requests[0];
    assert.equal(probe?.body, '');
    assert.equal(probe?.headers['content-type'], undefined);
    assert.equal(
      probe?.headers['x-fourvenues-signature'],
      createHmac('sha256', secret.key).update('').digest('hex'),
      'still signed',
    );
  } finally {
    await close(server);
    await empty.close();
    await t.close();
  }
});
