// The store contract: what every adapter of the store port must do, written against the
// port only, so the SQLite and PostgreSQL adapters run the same tests.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { systemRandom } from '../../src/domain/clock.ts';
import type { Endpoint } from '../../src/domain/endpoint.ts';
import { createIdGenerator } from '../../src/domain/ids.ts';
import { type Message, MessageStatus } from '../../src/domain/message.ts';
import type { Store } from '../../src/store/store.ts';

export type OpenStore = () => Promise<{ store: Store; cleanup(): Promise<void> }>;

const t0 = Date.parse('2026-03-01T00:00:00Z');

export function storeContract(name: string, open: OpenStore): void {
  describe(`store contract: ${name}`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    let now = t0;
    const newId = createIdGenerator({ now: () => now }, systemRandom);

    before(async () => {
      ({ store, cleanup } = await open());
    });
    after(async () => {
      await cleanup();
    });

    const app = async (uid: string | null = null) =>
      store.applications.create({
        id: newId('application'),
        uid,
        name: `app ${uid}`,
        rateLimit: null,
        metadata: { k: 'v' },
        policy: null,
        createdAt: now,
        updatedAt: now,
      });

    const endpoint = async (appId: string, fields: Partial<Endpoint> = {}) =>
      store.endpoints.create({
        id: newId('endpoint'),
        appId,
        uid: null,
        url: 'https://example.com/hook',
        description: '',
        version: 1,
        rateLimit: null,
        disabled: false,
        filterTypes: null,
        channels: null,
        metadata: {},
        headers: {},
        secrets: [{ key: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', expiresAt: null }],
        policy: null,
        createdAt: now,
        updatedAt: now,
        ...fields,
      });

    const message = (appId: string, fields: Partial<Message> = {}): Message => ({
      id: newId('message'),
      appId,
      eventId: null,
      eventType: 'order.created',
      payload: '{"n":1}',
      channels: null,
      tags: null,
      createdAt: now,
      deliverAt: null,
      ...fields,
    });

    test('applications: create, find by id or uid, update, uid conflicts, delete', async () => {
      const a = await app('contract-a');
      assert.equal((await store.applications.find('contract-a'))?.id, a.id);
      assert.equal((await store.applications.find(a.id))?.uid, 'contract-a');
      await assert.rejects(app('contract-a'), /already exists/);
      const updated = await store.applications.update(
        a.id,
        {
          uid: 'contract-a2',
          name: 'renamed',
          rateLimit: 5,
          metadata: {},
          policy: { timeoutSeconds: 3 },
        },
        now + 1,
      );
      assert.deepEqual(
        [updated?.name, updated?.rateLimit, updated?.policy],
        ['renamed', 5, { timeoutSeconds: 3 }],
      );
      assert.equal(await store.applications.find('contract-a'), null);
      assert.ok(await store.applications.delete(a.id));
      assert.equal(await store.applications.find(a.id), null);
    });

    test('pagination walks both ways', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        now++;
        ids.push((await app(`page-${i}`)).id);
      }
      const all = await store.applications.list({ limit: 250, iterator: null, order: 'ascending' });
      const mine = all.data.map((a) => a.id).filter((id) => ids.includes(id));
      assert.deepEqual(mine, ids);
      const first = await store.applications.list({
        limit: 2,
        iterator: ids[0] ?? null,
        order: 'ascending',
      });
      assert.deepEqual(
        first.data.map((a) => a.id),
        ids.slice(1, 3),
      );
      assert.equal(first.done, false);
      const back = await store.applications.list({
        limit: 2,
        iterator: first.prevIterator,
        order: 'ascending',
      });
      assert.deepEqual(
        back.data.map((a) => a.id),
        ids.slice(0, 1),
      );
    });

    test('endpoints: per-application uids, updates and disabling', async () => {
      const a = await app();
      const b = await app();
      const e = await endpoint(a.id, { uid: 'main' });
      await endpoint(b.id, { uid: 'main' });
      await assert.rejects(endpoint(a.id, { uid: 'main' }), /already exists/);
      assert.equal((await store.endpoints.find(a.id, 'main'))?.id, e.id);
      assert.equal(
        await store.endpoints.find(b.id, e.id),
        null,
        'lookups stay within the application',
      );
      assert.ok(await store.endpoints.setDisabled(e.id, true, now));
      assert.equal(await store.endpoints.setDisabled(e.id, true, now), false);
      assert.equal((await store.endpoints.listEnabled(a.id)).length, 0);
    });

    test('publishing writes the message and one delivery per matching endpoint, atomically', async () => {
      const a = await app();
      const all = await endpoint(a.id);
      const orders = await endpoint(a.id, { filterTypes: ['order.created'] });
      await endpoint(a.id, { filterTypes: ['invoice.paid'] });
      await endpoint(a.id, { disabled: true });
      const m = message(a.id, { eventId: 'evt-1' });
      assert.equal(await store.messages.publish(m), 2);
      const targets = await store.deliveries.listByMessage(m.id, {
        limit: 10,
        iterator: null,
        order: 'ascending',
      });
      assert.deepEqual(targets.data.map((x) => x.endpoint.id).sort(), [all.id, orders.id].sort());
      assert.ok(
        targets.data.every(
          (x) => x.delivery.status === MessageStatus.pending && x.delivery.nextAttemptAt === now,
        ),
      );
      // A repeated eventId fails and leaves nothing behind, even published at the same time.
      const dup = message(a.id, { eventId: 'evt-1' });
      const other = message(a.id);
      const [dupResult, otherResult] = await Promise.allSettled([
        store.messages.publish(dup),
        store.messages.publish(other),
      ]);
      assert.equal(dupResult.status, 'rejected');
      assert.deepEqual(otherResult, { status: 'fulfilled', value: 2 });
      assert.equal(await store.messages.find(a.id, dup.id), null);
      assert.equal((await store.messages.find(a.id, 'evt-1'))?.id, m.id);
    });

    test('the queue: claim under a lease, record, defer, pause and resume', async () => {
      const a = await app();
      const e = await endpoint(a.id);
      const m = message(a.id);
      await store.messages.publish(m);
      const claimed = await store.queue.claim(now, now + 60_000, 1000);
      const mine = claimed.filter((c) => c.msgId === m.id);
      assert.equal(mine.length, 1);
      assert.equal(
        (await store.queue.claim(now, now + 60_000, 1000)).filter((c) => c.msgId === m.id).length,
        0,
        'leased',
      );
      // After the lease, the delivery is claimable again.
      const reclaimed = await store.queue.claim(now + 60_001, now + 120_000, 1000);
      assert.equal(reclaimed.filter((c) => c.msgId === m.id).length, 1);
      const delivery = reclaimed.find((c) => c.msgId === m.id);
      assert.ok(delivery);
      await store.queue.record(
        [
          {
            delivery,
            attempt: {
              id: newId('attempt'),
              msgId: m.id,
              endpointId: e.id,
              appId: a.id,
              url: e.url,
              status: MessageStatus.fail,
              responseStatusCode: 500,
              response: 'down',
              responseDurationMs: 12,
              triggerType: 0,
              createdAt: now,
            },
            status: MessageStatus.pending,
            nextAttemptAt: now + 5000,
          },
        ],
        now,
      );
      const state = await store.deliveries.find(m.id, e.id);
      assert.deepEqual(
        [state?.status, state?.attemptCount, state?.nextAttemptAt],
        [MessageStatus.pending, 1, now + 5000],
      );
      assert.equal(await store.queue.pauseEndpoint(e.id, now), 1);
      assert.equal((await store.deliveries.find(m.id, e.id))?.nextAttemptAt, null);
      assert.equal(await store.queue.resumeEndpoint(e.id, now), 1);
      assert.equal((await store.deliveries.find(m.id, e.id))?.nextAttemptAt, now);
      const failing = await store.queue.markEndpointFailure(e.id, now, 1);
      assert.deepEqual(failing, { failSince: now, exhaustedCount: 1, disabled: false });
      await store.queue.markEndpointSuccess(e.id);
      assert.deepEqual(await store.queue.markEndpointFailure(e.id, now + 10, 0), {
        failSince: now + 10,
        exhaustedCount: 0,
        disabled: false,
      });
    });

    test('throttle slots are shared by every worker: one per interval', async () => {
      const a = await app();
      const e = await endpoint(a.id, { rateLimit: 2 });
      const [x, y] = await Promise.all([
        store.queue.takeThrottleSlot(e.id, now, 500),
        store.queue.takeThrottleSlot(e.id, now, 500),
      ]);
      assert.equal([x, y].filter((slot) => slot.granted).length, 1);
      assert.deepEqual(await store.queue.takeThrottleSlot(e.id, now + 499, 500), {
        granted: false,
        nextAt: now + 500,
      });
      assert.deepEqual(await store.queue.takeThrottleSlot(e.id, now + 500, 500), {
        granted: true,
        nextAt: now + 1000,
      });
    });

    test('deliveries: counts, recover, manual resend, purge', async () => {
      const a = await app();
      const e = await endpoint(a.id);
      const m = message(a.id);
      await store.messages.publish(m);
      assert.equal((await store.deliveries.countByStatus(e.id))[MessageStatus.pending], 1);
      const claimed = (await store.queue.claim(now, now + 1000, 1000)).find(
        (c) => c.msgId === m.id,
      );
      assert.ok(claimed);
      await store.queue.defer([claimed], null, now);
      await store.queue.resumeEndpoint(e.id, now);
      await store.deliveries.queueManual(m.id, e.id, a.id, now + 1);
      assert.equal((await store.deliveries.find(m.id, e.id))?.triggerType, 1);
      assert.equal(await store.deliveries.requeueFailed(e.id, now - 1, now + 1, now), 0);
      assert.ok((await store.messages.purgePayloads(now + 1)) >= 1);
      assert.equal(await store.messages.purgePayloads(now + 1), 0, 'purged once');
      const purged = await store.messages.find(a.id, m.id);
      assert.deepEqual([purged?.payload, purged?.expired], [null, true]);
    });

    test('tokens, idempotency keys and background tasks', async () => {
      const a = await app();
      await store.tokens.create({
        id: newId('token'),
        hash: 'h1',
        appId: a.id,
        createdAt: now,
        expiresAt: now + 10,
        revokedAt: null,
      });
      assert.equal((await store.tokens.findByHash('h1'))?.appId, a.id);
      assert.equal(await store.tokens.revokeAllForApp(a.id, now), 1);
      assert.ok((await store.tokens.findByHash('h1'))?.revokedAt);

      assert.deepEqual(await store.idempotency.claim('k1', now, now + 1000), { state: 'claimed' });
      assert.deepEqual(await store.idempotency.claim('k1', now, now + 1000), {
        state: 'in-progress',
      });
      await store.idempotency.complete('k1', 201, '{"id":"x"}');
      assert.deepEqual(await store.idempotency.claim('k1', now, now + 1000), {
        state: 'done',
        statusCode: 201,
        body: '{"id":"x"}',
      });
      assert.deepEqual(await store.idempotency.claim('k2', now, now + 1000), { state: 'claimed' });
      await store.idempotency.release('k2');
      assert.deepEqual(await store.idempotency.claim('k2', now, now + 1000), { state: 'claimed' });
      assert.deepEqual(
        await store.idempotency.claim('k1', now + 2000, now + 3000),
        { state: 'claimed' },
        'expired keys are free',
      );

      const task = await store.backgroundTasks.create({
        id: newId('task'),
        appId: a.id,
        task: 'endpoint.recover',
        status: 'running',
        data: {},
        createdAt: now,
        updatedAt: now,
      });
      await store.backgroundTasks.finish(task.id, 'finished', { requeued: 3 }, now + 5);
      assert.deepEqual(await store.backgroundTasks.find(task.id), {
        ...task,
        status: 'finished',
        data: { requeued: 3 },
        updatedAt: now + 5,
      });
    });
  });
}
