// The store contract for Play inboxes, run against both adapters like contract.ts: what one
// node records, another reads; an inbox keeps its last requests; expiry purges them.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { systemRandom } from '../../src/domain/clock.ts';
import { createIdGenerator } from '../../src/domain/ids.ts';
import type { PlayRequest } from '../../src/domain/play.ts';
import { endpointRecord } from '../helpers/fixtures.ts';
import type { OpenStore } from './contract.ts';

const t0 = Date.parse('2026-03-01T00:00:00Z');

export function playInboxContract(name: string, open: OpenStore): void {
  describe(`store contract, Play inboxes: ${name}`, () => {
    let store: Awaited<ReturnType<OpenStore>>['store'];
    let cleanup: () => Promise<void>;
    const newId = createIdGenerator({ now: () => t0 }, systemRandom);

    before(async () => {
      ({ store, cleanup } = await open());
    });
    after(async () => {
      await cleanup();
    });

    const request = (inboxId: string, body: string): PlayRequest => ({
      id: newId('playRequest'),
      inboxId,
      method: 'POST',
      path: `/play/in/${inboxId}?q=1`,
      headers: [
        ['content-type', 'text/plain'],
        ['x-twice', 'a'],
        ['x-twice', 'b'],
      ],
      body: new Uint8Array(Buffer.from(body)),
      bodySize: body.length,
      signature: { status: 'no-endpoint', endpointId: null, scheme: null, detail: 'none' },
      receivedAt: t0,
    });

    test('inboxes and their requests round-trip, bytes and header order included', async () => {
      const id = 'a'.repeat(32);
      const inbox = {
        id,
        appId: null,
        url: `http://h/play/in/${id}`,
        createdAt: t0,
        expiresAt: t0 + 1000,
      };
      await store.playInboxes.create(inbox);
      assert.deepEqual(await store.playInboxes.find(id), inbox);
      assert.equal(await store.playInboxes.find('b'.repeat(32)), null);

      const binary = { ...request(id, ''), body: new Uint8Array([0, 255, 10]), bodySize: 3 };
      assert.equal(await store.playInboxes.addRequest(binary, 10), true);
      const [read] = await store.playInboxes.listRequests(id, { limit: 10 });
      assert.deepEqual(
        { ...read, body: [...(read?.body ?? [])] },
        { ...binary, body: [0, 255, 10] },
      );
    });

    test('an inbox keeps its newest requests; `after` pages forward', async () => {
      const id = 'c'.repeat(32);
      await store.playInboxes.create({
        id,
        appId: null,
        url: `http://h/play/in/${id}`,
        createdAt: t0,
        expiresAt: t0 + 1000,
      });
      for (let i = 1; i <= 5; i++) await store.playInboxes.addRequest(request(id, `r${i}`), 3);
      const kept = await store.playInboxes.listRequests(id, { limit: 10 });
      assert.deepEqual(
        kept.map((r) => Buffer.from(r.body).toString()),
        ['r3', 'r4', 'r5'],
      );
      const later = await store.playInboxes.listRequests(id, { after: kept[0]?.id, limit: 1 });
      assert.deepEqual(
        later.map((r) => Buffer.from(r.body).toString()),
        ['r4'],
      );
      assert.equal(
        await store.playInboxes.addRequest(request('d'.repeat(32), 'lost'), 3),
        false,
        'no inbox, nothing recorded',
      );
    });

    test('endpoints pointing at an inbox are found within its application; expiry purges', async () => {
      const id = 'e'.repeat(32);
      const appId = newId('application');
      await store.applications.create({
        id: appId,
        uid: null,
        name: 'play',
        rateLimit: null,
        metadata: {},
        policy: null,
        createdAt: t0,
        updatedAt: t0,
      });
      await store.playInboxes.create({
        id,
        appId,
        url: `http://h/play/in/${id}`,
        createdAt: t0,
        expiresAt: t0 + 1000,
      });
      const pointing = await store.endpoints.create(
        endpointRecord({
          id: newId('endpoint'),
          appId,
          createdAt: t0,
          url: `https://x.example/play/in/${id}`,
        }),
      );
      await store.endpoints.create(
        endpointRecord({
          id: newId('endpoint'),
          appId,
          createdAt: t0,
          url: 'https://x.example/hook',
        }),
      );
      assert.deepEqual(
        (await store.playInboxes.endpointsPointingAt(id, appId)).map((e) => e.id),
        [pointing.id],
      );
      assert.deepEqual(await store.playInboxes.endpointsPointingAt(id, newId('application')), []);
      assert.equal((await store.playInboxes.endpointsPointingAt(id, null)).length, 1);

      await store.playInboxes.addRequest(request(id, 'x'), 10);
      assert.equal(await store.playInboxes.purgeExpired(t0 + 500), 0);
      assert.ok((await store.playInboxes.purgeExpired(t0 + 1001)) >= 1);
      assert.equal(await store.playInboxes.find(id), null);
      assert.deepEqual(await store.playInboxes.listRequests(id, { limit: 10 }), []);
    });
  });
}
