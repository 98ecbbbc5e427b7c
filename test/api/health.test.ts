// Health routes need no token; doubled and trailing slashes reach the same routes (1.x SDKs
// do not strip the server URL's trailing slash).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { client } from './client.ts';

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

  test('GET /api/v1/health answers 200 with the database and queue OK', async () => {
    const r = await c.call({ url: '/api/v1/health', token: null });
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, { database: { status: 'OK' }, queue: { status: 'OK' } });
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
