// The store contract: what every adapter of the store port must do, written against the
// port only, so the SQLite and PostgreSQL adapters run the same tests.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { systemRandom } from '../../src/domain/clock.ts';
import type { Endpoint } from '../../src/domain/endpoint.ts';
import { createIdGenerator } from '../../src/domain/ids.ts';
import { type Message, MessageStatus } from '../../src/domain/message.ts';
import type { AttemptRecord, ClaimedDelivery } from '../../src/store/queue.ts';
import type { Store } from '../../src/store/store.ts';
import { endpointRecord } from '../helpers/fixtures.ts';

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
      store.endpoints.create(
        endpointRecord({ id: newId('endpoint'), appId, createdAt: now, ...fields }),
      );

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

    /** The record of one attempt at a claimed delivery: a 200, or a 500 answering 'down'. */
    const attemptRecord = (
      delivery: ClaimedDelivery,
      endpointUrl: string,
      ok: boolean,
      next: { status: MessageStatus; nextAttemptAt: number | null },
    ): AttemptRecord => ({
      delivery,
      attempt: {
        id: newId('attempt'),
        msgId: delivery.msgId,
        endpointId: delivery.endpointId,
        appId: delivery.appId,
        url: endpointUrl,
        status: ok ? MessageStatus.success : MessageStatus.fail,
        responseStatusCode: ok ? 200 : 500,
        response: ok ? '' : 'down',
        responseDurationMs: 3,
        triggerType: 0,
        createdAt: now,
        // Names in the order sent, not sorted (a JSON column type would sort them).
        requestHeaders: { 'X-Zeta': 'z', 'content-type': 'application/json', 'a-first': '1' },
        privateDestination: !ok,
      },
      ...next,
    });

    test('applications: create, find by id or uid, update, uid conflicts, delete', async () => {
      const a = await app('contract-a');
      assert.equal((await store.applications.find('contract-a'))?.id, a.id);
      const found = await store.applications.find(a.id);
      assert.equal(found?.uid, 'contract-a');
      assert.throws(() => {
        (found as { name: string }).name = 'changed in place';
      }, 'a found application is shared: it cannot be changed in place');
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
      assert.equal((await store.applications.find(a.id))?.name, 'renamed');
      const b = await app('contract-b');
      await assert.rejects(
        store.applications.update(
          b.id,
          { uid: 'contract-a2', name: 'b', rateLimit: null, metadata: {}, policy: null },
          now,
        ),
        /already exists/,
        "an update may not take another application's uid",
      );
      assert.equal((await store.applications.find(b.id))?.uid, 'contract-b', 'left unchanged');
      // Applications without uid do not clash.
      const [n1, n2] = [await app(null), await app(null)];
      assert.notEqual(n1.id, n2.id);
      assert.deepEqual(await store.applications.find(n1.id), { ...n1 });
      assert.equal(
        await store.applications.update(
          'app_missing',
          { uid: null, name: 'x', rateLimit: null, metadata: {}, policy: null },
          now,
        ),
        null,
      );
      assert.ok(await store.applications.delete(a.id));
      assert.equal(await store.applications.delete(a.id), false);
      assert.equal(await store.applications.find(a.id), null);
    });

    test('pagination walks both ways, in both orders', async () => {
      // Endpoints of one fresh application: a list nothing else in the store adds to.
      const a = await app();
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        now++;
        ids.push((await endpoint(a.id)).id);
      }
      const walk = async (order: 'ascending' | 'descending', iterator: string | null) =>
        store.endpoints.list(a.id, { limit: 2, iterator, order });
      const idsOf = (page: { data: { id: string }[] }) => page.data.map((e) => e.id);

      for (const order of ['ascending', 'descending'] as const) {
        const expected = order === 'ascending' ? ids : [...ids].reverse();
        const p1 = await walk(order, null);
        assert.deepEqual(idsOf(p1), expected.slice(0, 2), order);
        assert.deepEqual([p1.done, p1.iterator], [false, expected[1]]);
        const p2 = await walk(order, p1.iterator);
        assert.deepEqual(idsOf(p2), expected.slice(2, 4), order);
        assert.equal(p2.prevIterator, `-${expected[2]}`);
        const p3 = await walk(order, p2.iterator);
        assert.deepEqual([idsOf(p3), p3.done], [expected.slice(4), true], order);
        // Back from the last page: the previous page again, in the same order.
        const back = await walk(order, p3.prevIterator);
        assert.deepEqual(idsOf(back), expected.slice(2, 4), `${order}, backwards`);
        assert.equal(back.done, false, 'more items lie further back');
        const first = await walk(order, back.prevIterator);
        assert.deepEqual([idsOf(first), first.done], [expected.slice(0, 2), true]);
        const past = await walk(order, p3.iterator);
        assert.deepEqual([past.data, past.done, past.iterator], [[], true, null]);
      }

      // Applications page the same way across the whole store.
      const appIds: string[] = [];
      for (let i = 0; i < 3; i++) {
        now++;
        appIds.push((await app(`page-${i}`)).id);
      }
      const page = await store.applications.list({
        limit: 2,
        iterator: appIds[0] ?? null,
        order: 'ascending',
      });
      assert.deepEqual(
        page.data.map((x) => x.id),
        appIds.slice(1, 3),
      );
      const newest = await store.applications.list({
        limit: 3,
        iterator: null,
        order: 'descending',
      });
      assert.deepEqual(
        newest.data.map((x) => x.id),
        [...appIds].reverse(),
      );
    });

    test('endpoints: create, find, list, update, delete', async () => {
      const a = await app();
      const first = await endpoint(a.id, {
        uid: 'crud',
        filterTypes: ['order.created'],
        channels: ['eu'],
        headers: { 'X-Tenant': 't' },
        metadata: { m: '1' },
        policy: { timeoutSeconds: 5 },
      });
      now++;
      const second = await endpoint(a.id);
      assert.deepEqual(await store.endpoints.findById(first.id), first);
      assert.deepEqual(await store.endpoints.find(a.id, first.id), first);
      const listed = await store.endpoints.list(a.id, {
        limit: 10,
        iterator: null,
        order: 'ascending',
      });
      assert.deepEqual(
        listed.data.map((e) => e.id),
        [first.id, second.id],
      );
      assert.equal(listed.done, true);
      const changed = {
        ...first,
        url: 'https://example.com/v2',
        version: 2,
        rateLimit: 3,
        filterTypes: null,
        secrets: [...first.secrets, { key: 'whsec_b2xk', expiresAt: now + 1000 }],
        updatedAt: now,
      };
      await store.endpoints.update(changed);
      assert.deepEqual(await store.endpoints.findById(first.id), changed);
      await assert.rejects(
        store.endpoints.update({ ...second, uid: 'crud' }),
        /already exists/,
        "an update may not take another endpoint's uid in the application",
      );
      assert.ok(await store.endpoints.delete(second.id));
      assert.equal(await store.endpoints.delete(second.id), false);
      assert.equal(await store.endpoints.findById(second.id), null);
      // Deleting the application deletes its endpoints.
      assert.ok(await store.applications.delete(a.id));
      assert.equal(await store.endpoints.findById(first.id), null);
    });

    test('event types: create, conflict, find, list with and without archived, update, delete', async () => {
      const eventType = (name: string, archived = false) => ({
        name,
        description: `about ${name}`,
        archived,
        deprecated: false,
        schemas: { '1': { type: 'object', examples: [{ n: 1 }] } },
        featureFlag: null,
        groupName: 'contract',
        createdAt: now,
        updatedAt: now,
      });
      const live = await store.eventTypes.create(eventType('contract.live'));
      await store.eventTypes.create(eventType('contract.old', true));
      await assert.rejects(store.eventTypes.create(eventType('contract.live')), /already exists/);
      assert.deepEqual(await store.eventTypes.find('contract.live'), live);
      assert.equal(await store.eventTypes.find('contract.none'), null);
      const names = async (includeArchived: boolean) =>
        (
          await store.eventTypes.list(
            { limit: 250, iterator: null, order: 'ascending' },
            includeArchived,
          )
        ).data
          .map((e) => e.name)
          .filter((n) => n.startsWith('contract.'));
      assert.deepEqual(await names(false), ['contract.live']);
      assert.deepEqual(await names(true), ['contract.live', 'contract.old']);
      const updated = {
        ...live,
        description: 'changed',
        deprecated: true,
        schemas: null,
        updatedAt: now + 1,
      };
      await store.eventTypes.update(updated);
      assert.deepEqual(await store.eventTypes.find('contract.live'), updated);
      assert.ok(await store.eventTypes.delete('contract.old'));
      assert.equal(await store.eventTypes.delete('contract.old'), false);
      assert.deepEqual(await names(true), ['contract.live']);
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

    test('a raw payload keeps its text and content type, for readers and for the queue', async () => {
      const a = await app();
      const m = message(a.id, { payload: '<a x="1">ü</a>', contentType: 'application/xml' });
      await store.messages.publish(m);
      const found = await store.messages.find(a.id, m.id);
      assert.deepEqual([found?.payload, found?.contentType], ['<a x="1">ü</a>', 'application/xml']);
      const queued = (await store.queue.loadMessages([m.id])).get(m.id);
      assert.deepEqual([queued?.payload, queued?.contentType], [m.payload, 'application/xml']);
      const plain = message(a.id);
      await store.messages.publish(plain);
      assert.equal((await store.messages.find(a.id, plain.id))?.contentType, null);
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
      assert.equal(await store.deliveries.find(dup.id, all.id), null, 'no delivery left behind');
      assert.equal((await store.deliveryStats.countByStatus(all.id))[MessageStatus.pending], 2);
      // The same eventId in another application is fine.
      const b = await app();
      assert.equal(await store.messages.publish(message(b.id, { eventId: 'evt-1' })), 0);
      // Published alone, the duplicate fails the same way.
      await assert.rejects(
        store.messages.publish(message(a.id, { eventId: 'evt-1' })),
        /already exists/,
      );
      // Filtered by channel, and aimed at one endpoint whatever its filters.
      const eu = await endpoint(a.id, { channels: ['eu'] });
      const inEu = message(a.id, { channels: ['eu'] });
      assert.equal(await store.messages.publish(inEu), 3);
      assert.ok(await store.deliveries.find(inEu.id, eu.id));
      const aimed = message(a.id, { eventType: 'nobody.listens' });
      assert.equal(await store.messages.publish(aimed, orders.id), 1);
      assert.ok(await store.deliveries.find(aimed.id, orders.id));
      const stored = await store.messages.find(a.id, m.id);
      assert.deepEqual(
        [stored?.eventType, stored?.payload, stored?.createdAt, stored?.expired],
        ['order.created', '{"n":1}', now, false],
      );
      const listed = await store.messages.list(
        a.id,
        { eventTypes: ['nobody.listens'] },
        { limit: 10, iterator: null, order: 'descending' },
      );
      assert.deepEqual(
        listed.data.map((x) => x.id),
        [aimed.id],
      );
    });

    test('messages published together are stored together, each failing alone', async () => {
      const a = await app();
      const b = await app();
      const gone = await app();
      const ea = await endpoint(a.id);
      const eb = await endpoint(b.id, { channels: ['eu'] });
      await store.messages.publish(message(a.id, { eventId: 'taken' }));
      await store.applications.delete(gone.id);
      const later = now + 60_000;
      const group = [
        message(a.id, { eventId: 'twin' }),
        message(a.id, { eventId: 'twin' }),
        message(a.id, { eventId: 'taken' }),
        message(b.id, { channels: ['eu'], tags: ['t1'], deliverAt: later }),
        message(b.id, { channels: ['us'] }),
      ];
      const results = await Promise.allSettled(group.map((m) => store.messages.publish(m)));
      assert.deepEqual(
        results.map((r) => (r.status === 'fulfilled' ? r.value : 'rejected')),
        [1, 'rejected', 'rejected', 1, 0],
      );
      assert.match(String((results[1] as PromiseRejectedResult).reason), /"twin" already exists/);
      assert.match(String((results[2] as PromiseRejectedResult).reason), /"taken" already exists/);
      const [twin, , , scheduled] = group as [Message, Message, Message, Message];
      assert.ok(await store.deliveries.find(twin.id, ea.id));
      const stored = await store.messages.find(b.id, scheduled.id);
      assert.deepEqual(
        [stored?.channels, stored?.tags, stored?.deliverAt],
        [['eu'], ['t1'], later],
      );
      const delivery = await store.deliveries.find(scheduled.id, eb.id);
      assert.deepEqual([delivery?.status, delivery?.nextAttemptAt], [MessageStatus.pending, later]);
      // A message of an application deleted meanwhile fails; the others of its group do not.
      const [fine, orphan] = [message(a.id), message(gone.id)];
      const outcomes = await Promise.allSettled([
        store.messages.publish(fine),
        store.messages.publish(orphan),
      ]);
      assert.deepEqual(
        outcomes.map((r) => r.status),
        ['fulfilled', 'rejected'],
      );
      assert.ok(await store.deliveries.find(fine.id, ea.id));
      assert.equal(await store.messages.find(gone.id, orphan.id), null);
    });

    test('a group that fails is stored message by message, each delivery taken once', async () => {
      const a = await app();
      const gone = await app();
      const e = await endpoint(a.id);
      await store.applications.delete(gone.id);
      const taken: string[] = [];
      const handoff = {
        take: (target: Endpoint) => {
          taken.push(target.id);
          return now + 30_000;
        },
      };
      const [fine, orphan] = [message(a.id), message(gone.id)];
      const outcomes = await Promise.allSettled([
        store.messages.publish(fine, undefined, handoff),
        store.messages.publish(orphan, undefined, handoff),
      ]);
      assert.deepEqual(
        outcomes.map((r) => r.status),
        ['fulfilled', 'rejected'],
      );
      assert.deepEqual(taken, [e.id], 'the hand-off was asked once, for the stored delivery');
      const delivery = await store.deliveries.find(fine.id, e.id);
      assert.deepEqual(
        [delivery?.status, delivery?.nextAttemptAt],
        [MessageStatus.sending, now + 30_000],
      );
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
          attemptRecord(delivery, e.url, false, {
            status: MessageStatus.pending,
            nextAttemptAt: now + 5000,
          }),
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

    test('attempt records wait for the next commit, together, and are written by it', async () => {
      const a = await app();
      const e = await endpoint(a.id);
      const [m1, m2, m3] = [message(a.id), message(a.id), message(a.id)];
      for (const m of [m1, m2, m3]) await store.messages.publish(m);
      const claimed = await store.queue.claim(now, now + 60_000, 1000);
      const [d1, d2, d3] = [m1, m2, m3].map((m) => claimed.find((c) => c.msgId === m.id));
      assert.ok(d1 && d2 && d3);
      const started = performance.now();
      const written = [d1, d2].map((d) =>
        store.queue.record(
          [attemptRecord(d, e.url, true, { status: MessageStatus.success, nextAttemptAt: null })],
          now,
          60_000,
        ),
      );
      // Any transaction that commits carries them: here, the one putting a claim back.
      await store.queue.defer([d3], now + 1000, now);
      await Promise.all(written);
      assert.ok(performance.now() - started < 10_000, 'written long before their wait ended');
      for (const m of [m1, m2]) {
        const state = await store.deliveries.find(m.id, e.id);
        assert.deepEqual([state?.status, state?.attemptCount], [MessageStatus.success, 1]);
      }
    });

    test('deleting an endpoint or an application takes its attempts, in flight ones too', async () => {
      const a = await app();
      const [kept, deleted] = [await endpoint(a.id), await endpoint(a.id)];
      const m = message(a.id);
      await store.messages.publish(m);
      /** Claims the message's deliveries and records a success for each; returns them. */
      const claimAndRecord = async (beforeRecording = async () => {}) => {
        const claimed = (await store.queue.claim(now, now + 60_000, 1000)).filter(
          (c) => c.msgId === m.id,
        );
        await beforeRecording();
        await store.queue.record(
          claimed.map((d) =>
            attemptRecord(d, 'https://example.com', true, {
              status: MessageStatus.success,
              nextAttemptAt: null,
            }),
          ),
          now,
        );
        return claimed.length;
      };
      // The feed reads the attempts table alone, so it also shows attempts left behind.
      const attemptsOf = async (endpointId: string) =>
        (await store.deliveries.listAttemptFeed({ endpointId }, 50)).length;

      assert.equal(await claimAndRecord(), 2);
      assert.deepEqual([await attemptsOf(kept.id), await attemptsOf(deleted.id)], [1, 1]);
      await store.deliveries.queueManual(m.id, kept.id, a.id, now);
      await store.deliveries.queueManual(m.id, deleted.id, a.id, now);
      // Both are claimed (in flight) when one endpoint is deleted; the batch of records still
      // lands for the other, and the deleted one leaves no attempt behind.
      const inFlight = await claimAndRecord(async () => {
        assert.equal(await store.endpoints.delete(deleted.id), true);
        assert.equal(await attemptsOf(deleted.id), 0, 'its attempts went with it');
      });
      assert.equal(inFlight, 2);
      assert.deepEqual([await attemptsOf(kept.id), await attemptsOf(deleted.id)], [2, 0]);

      assert.equal(await store.applications.delete(a.id), true);
      assert.equal(await attemptsOf(kept.id), 0, "the application's attempts went with it");
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

    test('a throttle rate that does not divide a second takes slots of whole milliseconds', async () => {
      const a = await app();
      const e = await endpoint(a.id, { rateLimit: 3 });
      assert.deepEqual(await store.queue.takeThrottleSlot(e.id, now, 1000 / 3), {
        granted: true,
        nextAt: now + 334,
      });
      assert.deepEqual(await store.queue.takeThrottleSlot(e.id, now + 333, 1000 / 3), {
        granted: false,
        nextAt: now + 334,
      });
    });

    test('deliveries: counts, recover, manual resend, purge', async () => {
      const a = await app();
      const e = await endpoint(a.id);
      const m = message(a.id);
      await store.messages.publish(m);
      assert.equal((await store.deliveryStats.countByStatus(e.id))[MessageStatus.pending], 1);
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

    test('deliveries: failed ones are counted and requeued within the window only', async () => {
      const a = await app();
      const e = await endpoint(a.id);
      const early = message(a.id, { createdAt: now - 10_000 });
      const late = message(a.id);
      await store.messages.publish(early);
      await store.messages.publish(late);
      const claimed = (await store.queue.claim(now, now + 1000, 1000)).filter(
        (c) => c.endpointId === e.id,
      );
      assert.equal(claimed.length, 2);
      await store.queue.record(
        claimed.map((delivery) =>
          attemptRecord(delivery, e.url, false, {
            status: MessageStatus.fail,
            nextAttemptAt: null,
          }),
        ),
        now,
      );
      const counts = await store.deliveryStats.countByStatus(e.id);
      assert.deepEqual(
        [counts[MessageStatus.fail], counts[MessageStatus.pending], counts[MessageStatus.success]],
        [2, 0, 0],
      );
      assert.equal(
        (await store.deliveryStats.countByStatus(e.id, now - 1, now + 1))[MessageStatus.fail],
        1,
      );
      assert.equal(await store.deliveries.requeueFailed(e.id, now - 1, now + 1, now + 5), 1);
      const requeued = await store.deliveries.find(late.id, e.id);
      assert.deepEqual(
        [requeued?.status, requeued?.nextAttemptAt, requeued?.triggerType],
        [MessageStatus.pending, now + 5, 1],
      );
      assert.equal((await store.deliveries.find(early.id, e.id))?.status, MessageStatus.fail);
      assert.equal(await store.deliveries.requeueFailed(e.id, now - 1, now + 1, now + 5), 0);
      // A manual resend turns the other failed delivery pending again.
      await store.deliveries.queueManual(early.id, e.id, a.id, now + 6);
      assert.deepEqual(
        [
          (await store.deliveries.find(early.id, e.id))?.status,
          (await store.deliveries.find(early.id, e.id))?.triggerType,
        ],
        [MessageStatus.pending, 1],
      );
      const attempts = await store.deliveries.listAttemptsByEndpoint(
        e.id,
        {},
        { limit: 10, iterator: null, order: 'descending' },
      );
      assert.equal(attempts.data.length, 2);
      assert.ok(attempts.data.every((x) => x.responseStatusCode === 500 && x.response === 'down'));
      for (const x of attempts.data) {
        assert.equal(x.privateDestination, true);
        assert.deepEqual(Object.entries(x.requestHeaders ?? {}), [
          ['X-Zeta', 'z'],
          ['content-type', 'application/json'],
          ['a-first', '1'],
        ]);
      }
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
        readOnly: false,
      });
      await store.tokens.create({
        id: newId('token'),
        hash: 'h2',
        appId: a.id,
        createdAt: now,
        expiresAt: null,
        revokedAt: null,
        readOnly: true,
      });
      const h1 = await store.tokens.findByHash('h1');
      assert.deepEqual(
        [h1?.appId, h1?.expiresAt, h1?.revokedAt, h1?.readOnly],
        [a.id, now + 10, null, false],
      );
      assert.equal((await store.tokens.findByHash('h2'))?.readOnly, true);
      assert.equal(await store.tokens.findByHash('nope'), null);
      if (h1) await store.tokens.revoke(h1.id, now + 1);
      assert.equal((await store.tokens.findByHash('h1'))?.revokedAt, now + 1);
      assert.equal((await store.tokens.findByHash('h2'))?.revokedAt, null, 'only that one');
      assert.equal(await store.tokens.revokeAllForApp(a.id, now + 2), 1);
      assert.equal((await store.tokens.findByHash('h2'))?.revokedAt, now + 2);
      assert.equal((await store.tokens.findByHash('h1'))?.revokedAt, now + 1, 'kept its time');
      assert.equal(await store.tokens.purgeExpired(now + 11), 1);
      assert.equal(await store.tokens.findByHash('h1'), null);

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
      // The request hash a claim keeps is told to later requests with the key.
      assert.deepEqual(await store.idempotency.claim('k3', now, now + 1000, 'body-a'), {
        state: 'claimed',
      });
      assert.deepEqual(await store.idempotency.claim('k3', now, now + 1000, 'body-b'), {
        state: 'in-progress',
        requestHash: 'body-a',
      });
      await store.idempotency.complete('k3', 200, '{}');
      assert.deepEqual(await store.idempotency.claim('k3', now, now + 1000, 'body-b'), {
        state: 'done',
        statusCode: 200,
        body: '{}',
        requestHash: 'body-a',
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
      assert.equal(await store.backgroundTasks.find('qtask_missing'), null);
      const finished = await store.backgroundTasks.list(
        { status: 'finished', task: 'endpoint.recover' },
        { limit: 50, iterator: null, order: 'descending' },
      );
      assert.ok(finished.data.some((x) => x.id === task.id));
      const running = await store.backgroundTasks.list(
        { status: 'running' },
        { limit: 50, iterator: null, order: 'descending' },
      );
      assert.ok(!running.data.some((x) => x.id === task.id));
    });
  });
}
