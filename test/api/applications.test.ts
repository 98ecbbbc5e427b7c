// /api/v1/app: create, read by id or uid, get_if_exists, PUT upserts, PATCH, delete,
// field aliases and pagination.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { client, ids } from '../helpers/client.ts';
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

describe('applications', () => {
  test('create answers 201 with the application, readable by id and by uid', async () => {
    const created = await c.createApp({ name: 'Acme', uid: 'acme', metadata: { tier: 'gold' } });
    assert.match(created.id, /^app_[0-9A-Z]{26}$/);
    assert.equal(created.name, 'Acme');
    assert.equal(created.uid, 'acme');
    assert.deepEqual(created.metadata, { tier: 'gold' });
    assert.equal(created.createdAt, new Date(t.clock.now()).toISOString());
    assert.deepEqual(await c.ok({ url: `/api/v1/app/${created.id}` }), created);
    assert.deepEqual(await c.ok({ url: '/api/v1/app/acme' }), created);
    const noUid = await c.createApp({ name: 'No uid' });
    assert.equal(noUid.uid, null);
    assert.deepEqual(noUid.metadata, {});
  });

  test('get_if_exists=true returns the existing application (200) instead of a conflict', async () => {
    const first = await c.createApp({ name: 'Orig', uid: 'gie' });
    const again = await c.call({
      method: 'POST',
      url: '/api/v1/app?get_if_exists=true',
      body: { name: 'Other', uid: 'gie' },
    });
    assert.equal(again.status, 200);
    assert.deepEqual(again.body, first);
    await c.expectError(
      { method: 'POST', url: '/api/v1/app?get_if_exists=false', body: { name: 'x', uid: 'gie' } },
      409,
      'conflict',
    );
    // With a new uid, get_if_exists creates.
    const fresh = await c.call({
      method: 'POST',
      url: '/api/v1/app?get_if_exists=true',
      body: { name: 'Fresh', uid: 'gie-new' },
    });
    assert.equal(fresh.status, 201);
    assert.notEqual(fresh.body.id, first.id);
  });

  test('PUT creates with the path as uid (201) and then updates (200)', async () => {
    const put = await c.call({
      method: 'PUT',
      url: '/api/v1/app/put-me',
      body: { name: 'Upserted' },
    });
    assert.equal(put.status, 201);
    assert.equal(put.body.uid, 'put-me');
    const again = await c.call({
      method: 'PUT',
      url: '/api/v1/app/put-me',
      body: { name: 'Renamed' },
    });
    assert.equal(again.status, 200);
    assert.equal(again.body.id, put.body.id);
    assert.equal(again.body.name, 'Renamed');
    assert.equal(again.body.uid, 'put-me', 'a PUT without uid keeps the uid');
    const byId = await c.call({
      method: 'PUT',
      url: `/api/v1/app/${put.body.id}`,
      body: { name: 'By id' },
    });
    assert.equal(byId.status, 200);
    assert.equal((await c.ok({ url: '/api/v1/app/put-me' })).name, 'By id');
    const apps = await c.ok({ url: '/api/v1/app?limit=250' });
    assert.equal(apps.data.filter((a: { uid: string }) => a.uid === 'put-me').length, 1);
  });

  test('PATCH changes the given fields and keeps the others', async () => {
    const app = await c.createApp({
      name: 'Patchable',
      uid: 'patch-me',
      metadata: { a: '1' },
      rateLimit: 10,
    });
    t.clock.advance(1000);
    const patched = await c.ok({
      method: 'PATCH',
      url: '/api/v1/app/patch-me',
      body: { name: 'Patched' },
    });
    assert.equal(patched.name, 'Patched');
    assert.equal(patched.uid, 'patch-me');
    assert.deepEqual(patched.metadata, { a: '1' });
    assert.equal(patched.rateLimit, 10);
    assert.equal(patched.createdAt, app.createdAt);
    assert.notEqual(patched.updatedAt, app.updatedAt);
    const meta = await c.ok({
      method: 'PATCH',
      url: `/api/v1/app/${app.id}`,
      body: { metadata: { b: '2' } },
    });
    assert.deepEqual([meta.name, meta.metadata], ['Patched', { b: '2' }]);
    const cleared = await c.ok({
      method: 'PATCH',
      url: `/api/v1/app/${app.id}`,
      body: { rateLimit: null },
    });
    assert.equal(cleared.rateLimit, null);
    assert.deepEqual(await c.ok({ url: '/api/v1/app/patch-me' }), cleared);
  });

  test('rateLimit and throttleRate are one setting, accepted and returned under both names', async () => {
    const v2 = await c.createApp({ name: 'v2', throttleRate: 7 });
    assert.deepEqual([v2.rateLimit, v2.throttleRate], [7, 7]);
    const v1 = await c.createApp({ name: 'v1', rateLimit: 9 });
    assert.deepEqual([v1.rateLimit, v1.throttleRate], [9, 9]);
    const patched = await c.ok({
      method: 'PATCH',
      url: `/api/v1/app/${v1.id}`,
      body: { throttleRate: 11 },
    });
    assert.deepEqual([patched.rateLimit, patched.throttleRate], [11, 11]);
  });

  test('DELETE answers 204 and removes the application with its endpoints and messages', async () => {
    const app = await c.createApp({ name: 'Doomed', uid: 'doomed' });
    const ep = await c.createEndpoint('doomed');
    await c.publish('doomed', { eventType: 'd.d' });
    assert.equal((await c.call({ method: 'DELETE', url: '/api/v1/app/doomed' })).status, 204);
    await c.expectError({ url: `/api/v1/app/${app.id}` }, 404, 'not_found');
    await c.expectError({ url: `/api/v1/app/${app.id}/endpoint/${ep.id}` }, 404, 'not_found');
    await c.expectError({ method: 'DELETE', url: '/api/v1/app/doomed' }, 404, 'not_found');
    assert.equal(await t.store.endpoints.findById(ep.id), null);
    // The uid is free again.
    await c.createApp({ name: 'Reborn', uid: 'doomed' });
  });
});

describe('application pagination', () => {
  test('iterators walk forwards and backwards, with done and order', async () => {
    const local = await createTestApp();
    try {
      const l = client(local);
      const created: string[] = [];
      for (let i = 0; i < 7; i++) created.push((await l.createApp({ name: `p${i}` })).id);
      const all = await l.ok({ url: '/api/v1/app' });
      assert.deepEqual(ids(all), created, 'oldest first by default');
      assert.equal(all.done, true);

      const p1 = await l.ok({ url: '/api/v1/app?limit=3' });
      assert.deepEqual(ids(p1), created.slice(0, 3));
      assert.equal(p1.done, false);
      const p2 = await l.ok({ url: `/api/v1/app?limit=3&iterator=${p1.iterator}` });
      assert.deepEqual(ids(p2), created.slice(3, 6));
      assert.equal(p2.done, false);
      const p3 = await l.ok({ url: `/api/v1/app?limit=3&iterator=${p2.iterator}` });
      assert.deepEqual(ids(p3), created.slice(6));
      assert.equal(p3.done, true);

      const back = await l.ok({
        url: `/api/v1/app?limit=3&iterator=${encodeURIComponent(p3.prevIterator)}`,
      });
      assert.deepEqual(ids(back), created.slice(3, 6));
      const back2 = await l.ok({
        url: `/api/v1/app?limit=3&iterator=${encodeURIComponent(back.prevIterator)}`,
      });
      assert.deepEqual(ids(back2), created.slice(0, 3));

      const desc = await l.ok({ url: '/api/v1/app?limit=4&order=descending' });
      assert.deepEqual(ids(desc), created.slice(3).reverse());
      assert.equal(desc.done, false);
      const desc2 = await l.ok({
        url: `/api/v1/app?limit=4&order=descending&iterator=${desc.iterator}`,
      });
      assert.deepEqual(ids(desc2), created.slice(0, 3).reverse());
      assert.equal(desc2.done, true);
    } finally {
      await local.close();
    }
  });
});
