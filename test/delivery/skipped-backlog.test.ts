// A backlog the dispatcher has no room for is not read over and over: a claim that skips a
// full application and finds nothing else costs a read past that application's whole due
// backlog (on PostgreSQL, hundreds of milliseconds for a million deliveries), so the clock
// does not repeat it at once; new work still wakes the node.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ClaimSkip } from '../../src/store/queue.ts';
import { client } from '../helpers/client.ts';
import { startReceiver } from '../helpers/receiver.ts';
import { createTestApp } from '../helpers/test-app.ts';

test('claims that skip a busy application are not repeated while nothing else is due', async () => {
  const t = await createTestApp({ realTime: true });
  const receiver = await startReceiver(() => ({ status: 200, delayMs: 5 }));
  const claims = { all: 0, skipping: 0 };
  const queue = t.store.queue;
  const claim = queue.claim.bind(queue);
  // A claim that skips reads past the skipped backlog: on PostgreSQL, hundreds of
  // milliseconds for a large one. Here it takes 200 ms.
  queue.claim = async (now: number, leaseEnd: number, limit: number, skip?: ClaimSkip) => {
    claims.all++;
    if (skip?.appIds?.length || skip?.endpointIds?.length) {
      claims.skipping++;
      await sleep(200);
    }
    return claim(now, leaseEnd, limit, skip);
  };
  try {
    const api = client(t).api;
    const app = await api<{ id: string }>('POST', '/app', { name: 'busy' });
    await api('POST', `/app/${app.id}/endpoint`, { url: receiver.url });
    // A backlog: every message falls due at once, a moment from now, as after an outage.
    const total = 4000;
    const deliverAt = new Date(Date.now() + 3000).toISOString();
    for (let i = 0; i < total; i += 100) {
      await Promise.all(
        Array.from({ length: 100 }, (_, j) =>
          api('POST', `/app/${app.id}/msg`, { eventType: 'a.b', payload: { i: i + j }, deliverAt }),
        ),
      );
    }
    const deadline = Date.now() + 60_000;
    while (receiver.requests.length < total && Date.now() < deadline) await sleep(20);
    assert.equal(receiver.requests.length, total, 'every delivery arrived');
    // Claims keep coming as slots free, but those that skip the application (and so can find
    // nothing else) stay few: each holds the next off for ten times its 200 ms. Without the
    // hold, PostgreSQL's node made 20 of them here (2 with it).
    assert.ok(claims.all > 0);
    assert.ok(
      claims.skipping <= 8,
      `${claims.skipping} of ${claims.all} claims skipped the only application`,
    );
  } finally {
    queue.claim = claim;
    await receiver.close();
    await t.close();
  }
});
