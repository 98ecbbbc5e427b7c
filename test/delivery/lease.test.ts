// A claimed delivery stays leased for as long as its endpoint may take to answer: a policy's
// timeout longer than the server's must not let another worker claim and send it again while
// the first attempt is still waiting for its answer.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { client } from '../helpers/client.ts';
import { setPolicy } from '../helpers/fixtures.ts';
import { type Receiver, startReceiver } from '../helpers/receiver.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

const serverTimeoutSeconds = 5;
const policyTimeoutSeconds = 120;
/** What a claim under the server's timeout alone would lease. */
const serverLeaseMs = serverTimeoutSeconds * 2000 + 10_000;

async function hangingEndpoint(t: TestApp, receiver: Receiver) {
  const api = client(t).api;
  const app = await api<{ id: string }>('POST', '/app', { name: 'slow' });
  const endpoint = await api<{ id: string }>('POST', `/app/${app.id}/endpoint`, {
    url: receiver.url,
  });
  await setPolicy(t, endpoint.id, { timeoutSeconds: policyTimeoutSeconds });
  return { api, app: app.id, endpoint: endpoint.id };
}

async function arrived(receiver: Receiver): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (receiver.requests.length === 0) {
    assert.ok(Date.now() < deadline, 'the attempt reached the receiver');
    await sleep(10);
  }
}

async function leaseEnd(t: TestApp, endpoint: string): Promise<number> {
  const row = await t.sql.get<{ next_attempt_at: number }>(
    'SELECT next_attempt_at FROM deliveries WHERE endpoint_id = ?',
    [endpoint],
  );
  assert.ok(row, 'the delivery is stored');
  return Number(row.next_attempt_at);
}

test('a claimed delivery is leased for its endpoint’s longer timeout: no other worker claims it', async () => {
  const t = await createTestApp({ config: { timeoutSeconds: serverTimeoutSeconds } });
  const receiver = await startReceiver(() => 'hang');
  try {
    const { api, app, endpoint } = await hangingEndpoint(t, receiver);
    await api('POST', `/app/${app}/msg`, { eventType: 'a.b', payload: {} });
    const claimedAt = t.clock.now();
    const run = t.dispatcher.runDue();
    await arrived(receiver);
    assert.ok(
      (await leaseEnd(t, endpoint)) >= claimedAt + policyTimeoutSeconds * 1000,
      'leased past the endpoint’s timeout',
    );
    // Another worker looking once the server's lease would have run out finds nothing to take.
    const later = claimedAt + serverLeaseMs + 1000;
    assert.deepEqual(await t.store.queue.claim(later, later + serverLeaseMs, 100), []);
    await receiver.close();
    await run;
    assert.equal(receiver.requests.length, 1);
  } finally {
    await receiver.close();
    await t.close();
  }
});

test('a delivery the running node takes as it is published is leased the same way', async () => {
  const t = await createTestApp({
    realTime: true,
    config: { timeoutSeconds: serverTimeoutSeconds },
  });
  const receiver = await startReceiver(() => 'hang');
  try {
    const { api, app, endpoint } = await hangingEndpoint(t, receiver);
    const publishedAt = Date.now();
    await api('POST', `/app/${app}/msg`, { eventType: 'a.b', payload: {} });
    await arrived(receiver);
    assert.ok(
      (await leaseEnd(t, endpoint)) >= publishedAt + policyTimeoutSeconds * 1000,
      'leased past the endpoint’s timeout',
    );
  } finally {
    await receiver.close();
    await t.close();
  }
});
