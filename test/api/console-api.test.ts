// The API routes the operator console reads, open to any script: searching applications,
// an application's endpoint health, the queue's figures and the operational events.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { client, type Json } from '../helpers/client.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
let c: ReturnType<typeof client>;
let acme: Json;
let globex: Json;
let sale: Json;
let healthy: Json;
let disabled: Json;
let failing: Json;
let publishedAt: number;

before(async () => {
  t = await createTestApp();
  c = client(t);
  acme = await c.createApp({ name: 'Acme Inc.', uid: 'acme' });
  globex = await c.createApp({ name: 'Globex', uid: 'globex-corp' });
  sale = await c.createApp({ name: '100%_off', uid: 'sale' });
  await c.createEventType('order.created');
  healthy = await c.createEndpoint('acme', { url: 'https://ops:pw-secret@a.example/hook' });
  disabled = await c.createEndpoint('acme', { url: 'https://b.example/hook' });
  failing = await c.createEndpoint('acme', { url: 'https://c.example/hook' });
  publishedAt = t.clock.now();
  await c.publish('acme', { eventType: 'order.created' });
  await c.publish('acme', { eventType: 'order.created' });
  t.clock.advance(1000);
  await c.ok({
    method: 'PATCH',
    url: `/api/v1/app/acme/endpoint/${disabled.id}`,
    body: { disabled: true },
  });
  await t.store.queue.markEndpointFailure(failing.id, t.clock.now() - 3_600_000, 0);
});

after(async () => {
  await t.close();
});

describe('searching applications', () => {
  const names = async (search: string) =>
    (await c.ok({ url: `/api/v1/app?search=${encodeURIComponent(search)}` })).data.map(
      (a: Json) => a.name,
    );

  test('by part of the name or uid, ignoring case, or by the exact id', async () => {
    assert.deepEqual(await names('acme'), ['Acme Inc.']);
    assert.deepEqual(await names('INC'), ['Acme Inc.']);
    assert.deepEqual(await names('corp'), ['Globex']);
    assert.deepEqual(await names(globex.id), ['Globex']);
    assert.deepEqual(await names(globex.id.slice(0, 10)), [], 'an id matches whole');
    assert.deepEqual(await names('nothing like it'), []);
    assert.equal((await c.ok({ url: '/api/v1/app' })).data.length, 3);
  });

  test('% and _ are plain characters, not wildcards', async () => {
    assert.deepEqual(await names('%'), ['100%_off']);
    assert.deepEqual(await names('_'), ['100%_off']);
    assert.equal(sale.uid, 'sale');
  });

  test('is for the operator only', async () => {
    const token = await c.portalToken('acme');
    await c.expectError({ url: '/api/v1/app?search=acme', token }, 403, 'insufficient access');
  });
});

describe('endpoint health', () => {
  test('disabled first, then failing, with the deliveries waiting for each (URL passwords masked)', async () => {
    const health = await c.ok({ url: '/api/v1/app/acme/endpoint-health' });
    assert.deepEqual(
      health.data.map((e: Json) => [e.url, e.disabled, e.failingSince !== null, e.pending]),
      [
        ['https://b.example/hook', true, false, 2],
        ['https://c.example/hook', false, true, 2],
        ['https://ops:***@a.example/hook', false, false, 2],
      ],
    );
    assert.equal(health.data[2].id, healthy.id);
    assert.equal(health.pending, 6);
    const none = await c.ok({ url: '/api/v1/app/globex-corp/endpoint-health' });
    assert.deepEqual(none, { data: [], pending: 0 });
  });

  test("an application's own portal token reads it, another's may not", async () => {
    await c.ok({ url: '/api/v1/app/acme/endpoint-health', token: await c.portalToken('acme') });
    await c.expectError(
      { url: '/api/v1/app/acme/endpoint-health', token: await c.portalToken('globex-corp') },
      403,
      'insufficient access',
    );
    await c.expectError({ url: '/api/v1/app/nope/endpoint-health' }, 404, 'not_found');
  });
});

describe('queue figures', () => {
  test('depth, due now, oldest due and disabled endpoints', async () => {
    const stats = await c.ok({ url: '/api/v1/queue/stats' });
    // The disabled endpoint's two deliveries wait without a time: not in the depth.
    assert.deepEqual(stats, {
      scheduled: 4,
      dueNow: 4,
      oldestDue: new Date(publishedAt).toISOString(),
      attemptsLastMinute: { success: 0, failure: 0 },
      disabledEndpoints: 1,
    });
    assert.equal(acme.uid, 'acme');
    await c.expectError(
      { url: '/api/v1/queue/stats', token: await c.portalToken('acme') },
      403,
      'insufficient access',
    );
  });
});

describe('operational events', () => {
  test('newest first, with the disabled endpoint', async () => {
    const events = await c.ok({ url: '/api/v1/operational-event?limit=10' });
    const types = events.data.map((e: Json) => e.type);
    assert.equal(types[0], 'endpoint.updated');
    assert.equal(types[1], 'endpoint.disabled');
    assert.equal(events.data[1].data.endpointId, disabled.id);
    assert.equal(events.data[1].data.appUid, 'acme');
    assert.ok(Date.parse(events.data[1].timestamp) >= publishedAt);
    assert.equal(types.filter((type: string) => type === 'endpoint.created').length, 3);
    await c.expectError(
      { url: '/api/v1/operational-event', token: await c.portalToken('acme') },
      403,
      'insufficient access',
    );
  });
});
