// Health routes need no token; doubled and trailing slashes reach the same routes (1.x SDKs
// do not strip the server URL's trailing slash).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { client } from '../helpers/client.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
let c: ReturnType<typeof client>;

before(async () => {
  t = await createTestApp();
  c = client(t);
});

after(async () => {
  await t.close();
});

describe('health', () => {
  test('GET /api/v1/health/ping answers 204 with no token', async () => {
    const r = await c.call({ url: '/api/v1/health/ping', token: null });
    assert.equal(r.status, 204);
  });

  test('GET /api/v1/health reports the database, the queue as it is, and no dispatcher here', async () => {
    const r = await c.call({ url: '/api/v1/health', token: null });
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.database, { status: 'OK' });
    assert.equal(r.body.queue.status, 'OK');
    // The test app drives no dispatcher loop of its own.
    assert.equal(r.body.dispatcher.status, 'OFF');
    assert.equal(r.body.dispatcher.lastTickAt, null);
  });

  test('the queue shows pending and due deliveries and how long the oldest has waited', async () => {
    const app = await c.ok({ method: 'POST', url: '/api/v1/app', body: { name: 'Health queue' } });
    await c.ok({
      method: 'POST',
      url: `/api/v1/app/${app.id}/endpoint`,
      // Loopback is blocked by default: the attempt fails without any network.
      body: { url: 'http://127.0.0.1:9/hook' },
    });
    const before = (await c.ok({ url: '/api/v1/health', token: null })).queue;
    for (let i = 0; i < 3; i++) {
      await c.ok(
        {
          method: 'POST',
          url: `/api/v1/app/${app.id}/msg`,
          body: { eventType: 'h.x', payload: {} },
        },
        202,
      );
    }
    const published = t.clock.now();
    // A reading is shared for a second: move past it.
    t.clock.advance(2000);
    let queue = (await c.ok({ url: '/api/v1/health', token: null })).queue;
    assert.equal(queue.pending - before.pending, 3);
    assert.equal(queue.due - before.due, 3);
    assert.equal(queue.status, 'OK');
    assert.ok(queue.oldestDueAgeSeconds >= 2);
    assert.ok(Date.parse(queue.oldestDueAt) <= published);

    // Due for over five minutes: the queue is behind, and the node still answers 200.
    t.clock.advance(6 * 60_000);
    const behind = await c.call({ url: '/api/v1/health', token: null });
    assert.equal(behind.status, 200);
    queue = behind.body.queue;
    assert.equal(queue.status, 'BEHIND');
    assert.ok(queue.oldestDueAgeSeconds > 360);

    await t.dispatcher.runDue();
    t.clock.advance(2000);
    queue = (await c.ok({ url: '/api/v1/health', token: null })).queue;
    assert.equal(queue.due, 0);
    assert.equal(queue.oldestDueAt, null);
    assert.equal(queue.status, 'OK');
  });
});

describe('slashes', () => {
  test('//api/v1/... reaches the same routes as /api/v1/...', async () => {
    const created = await c.call({
      method: 'POST',
      url: '//api/v1/app',
      body: { name: 'Slashes', uid: 'slashes' },
    });
    assert.equal(created.status, 201);
    const list = await c.call({ url: '//api/v1/app' });
    assert.equal(list.status, 200);
    assert.deepEqual(list.body, await c.ok({ url: '/api/v1/app' }));
    assert.equal((await c.ok({ url: '//api/v1/app/slashes' })).id, created.body.id);
    assert.equal((await c.ok({ url: '/api/v1/app/slashes/' })).id, created.body.id);
    assert.equal((await c.call({ url: '//api/v1/health/ping', token: null })).status, 204);
    await c.expectError({ url: '//api/v1/app/no-such' }, 404, 'not_found');
    await c.expectError({ url: '//api/v1/app', token: null }, 401, 'authentication_failed');
  });
});
