// Idempotency-Key on POSTs: a repeat gets the first 2xx answer and creates nothing; failures
// do not keep the key; keys are per token and per URL, and expire.
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

const key = (k: string) => ({ 'idempotency-key': k });

const countApps = async () => (await c.ok({ url: '/api/v1/app?limit=250' })).data.length;

describe('idempotency keys', () => {
  test('a repeated POST with the same key replays the first answer and creates nothing', async () => {
    const before = await countApps();
    const first = await c.call({
      method: 'POST',
      url: '/api/v1/app',
      body: { name: 'Idem' },
      headers: key('k-app'),
    });
    t.clock.advance(1000);
    const second = await c.call({
      method: 'POST',
      url: '/api/v1/app',
      body: { name: 'Idem' },
      headers: key('k-app'),
    });
    assert.deepEqual([first.status, second.status], [201, 201]);
    assert.deepEqual(second.body, first.body);
    assert.equal(second.headers['idempotent-replayed'], 'true');
    assert.equal(first.headers['idempotent-replayed'], undefined);
    assert.equal(await countApps(), before + 1);
  });

  test('publishing with a repeated key answers the same message and queues no more', async () => {
    await c.createApp({ name: 'pub', uid: 'idem-pub' });
    const ep = await c.createEndpoint('idem-pub');
    const send = () =>
      c.call({
        method: 'POST',
        url: '/api/v1/app/idem-pub/msg',
        body: { eventType: 'a.b', payload: { n: 1 } },
        headers: key('k-msg'),
      });
    const first = await send();
    const second = await send();
    assert.deepEqual([first.status, second.status], [202, 202]);
    assert.equal(second.body.id, first.body.id);
    assert.deepEqual(ids(await c.ok({ url: '/api/v1/app/idem-pub/msg' })), [first.body.id]);
    const stats = await c.ok({ url: `/api/v1/app/idem-pub/endpoint/${ep.id}/stats` });
    assert.equal(stats.pending, 1);
  });

  test('a different key, or no key, creates a new resource', async () => {
    const body = { name: 'Twice' };
    const a = await c.call({ method: 'POST', url: '/api/v1/app', body, headers: key('k-a') });
    const b = await c.call({ method: 'POST', url: '/api/v1/app', body, headers: key('k-b') });
    const none1 = await c.call({ method: 'POST', url: '/api/v1/app', body });
    const none2 = await c.call({ method: 'POST', url: '/api/v1/app', body });
    const made = [a, b, none1, none2].map((r) => r.body.id);
    assert.equal(new Set(made).size, 4);
  });

  test('a failed first request does not keep the key', async () => {
    const bad = await c.call({
      method: 'POST',
      url: '/api/v1/app',
      body: { name: 5 },
      headers: key('k-fail'),
    });
    assert.equal(bad.status, 422);
    const good = await c.call({
      method: 'POST',
      url: '/api/v1/app',
      body: { name: 'Fixed', uid: 'idem-fixed' },
      headers: key('k-fail'),
    });
    assert.equal(good.status, 201);
    assert.equal(good.body.name, 'Fixed');
    // A conflict is not kept either: after the uid is freed, the same key creates.
    const conflict = await c.call({
      method: 'POST',
      url: '/api/v1/app',
      body: { name: 'Clash', uid: 'idem-fixed' },
      headers: key('k-conflict'),
    });
    assert.equal(conflict.status, 409);
    await c.call({ method: 'DELETE', url: '/api/v1/app/idem-fixed' });
    const retried = await c.call({
      method: 'POST',
      url: '/api/v1/app',
      body: { name: 'Clash', uid: 'idem-fixed' },
      headers: key('k-conflict'),
    });
    assert.equal(retried.status, 201);
    assert.equal(retried.body.name, 'Clash');
  });

  test('keys are per token: the same key from another token is a new request', async () => {
    await c.createApp({ name: 'tokens', uid: 'idem-tokens' });
    const one = await c.portalToken('idem-tokens');
    const two = await c.portalToken('idem-tokens');
    const post = (token?: string) =>
      c.call({
        method: 'POST',
        url: '/api/v1/app/idem-tokens/endpoint',
        body: { url: 'https://idem.example' },
        headers: key('shared-key'),
        ...(token ? { token } : {}),
      });
    const byAdmin = await post();
    const byOne = await post(one);
    const byTwo = await post(two);
    const byOneAgain = await post(one);
    assert.deepEqual(
      [byAdmin.status, byOne.status, byTwo.status, byOneAgain.status],
      [201, 201, 201, 201],
    );
    assert.equal(new Set([byAdmin.body.id, byOne.body.id, byTwo.body.id]).size, 3);
    assert.equal(byOneAgain.body.id, byOne.body.id);
    assert.equal((await c.ok({ url: '/api/v1/app/idem-tokens/endpoint' })).data.length, 3);
  });

  test('keys are per URL', async () => {
    await c.createApp({ name: 'u1', uid: 'idem-u1' });
    await c.createApp({ name: 'u2', uid: 'idem-u2' });
    const post = (app: string) =>
      c.call({
        method: 'POST',
        url: `/api/v1/app/${app}/msg`,
        body: { eventType: 'a.b', payload: {} },
        headers: key('k-url'),
      });
    const a = await post('idem-u1');
    const b = await post('idem-u2');
    assert.notEqual(a.body.id, b.body.id);
    assert.equal((await c.ok({ url: '/api/v1/app/idem-u2/msg' })).data.length, 1);
  });

  test('a key expires after idempotencyTtlSeconds', async () => {
    const post = () =>
      c.call({
        method: 'POST',
        url: '/api/v1/app',
        body: { name: 'Expiring' },
        headers: key('k-expire'),
      });
    const first = await post();
    t.clock.advance(t.config.idempotencyTtlSeconds * 1000 - 1000);
    assert.equal((await post()).body.id, first.body.id);
    t.clock.advance(2000);
    const later = await post();
    assert.equal(later.status, 201);
    assert.notEqual(later.body.id, first.body.id);
  });

  test('concurrent duplicates wait for the first and get its answer', async () => {
    const before = await countApps();
    const post = () =>
      c.call({
        method: 'POST',
        url: '/api/v1/app',
        body: { name: 'Race' },
        headers: key('k-race'),
      });
    const results = await Promise.all([post(), post(), post()]);
    assert.equal(new Set(results.map((r) => r.body.id)).size, 1);
    assert.deepEqual(
      results.map((r) => r.status),
      [201, 201, 201],
    );
    assert.equal(await countApps(), before + 1);
  });
});
