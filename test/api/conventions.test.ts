// The API's wire conventions, through inject(): error bodies, validation, pagination,
// id-or-uid lookups, upserts, aliases, idempotency and authentication.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Call, client } from '../helpers/client.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;

before(async () => {
  t = await createTestApp({ config: { maxPayloadBytes: 2048 } });
});

after(async () => {
  await t.close();
});

// The test app exists from before() on; each call goes through the tests' one client.
const call = (c: Call) => client(t).call(c);
const expectError = (c: Call, status: number, code: string) =>
  client(t).expectError(c, status, code);
const expectValidation = (c: Call, loc: (string | number)[]) => client(t).expectValidation(c, loc);

describe('errors', () => {
  test('bad JSON, wrong types, missing fields, unknown routes and ids', async () => {
    await expectError(
      { method: 'POST', url: '/api/v1/app', raw: '{"name": ' },
      400,
      'invalid_json',
    );
    await expectValidation({ method: 'POST', url: '/api/v1/app', body: { name: 5 } }, [
      'body',
      'name',
    ]);
    await expectValidation({ method: 'POST', url: '/api/v1/app', body: {} }, ['body', 'name']);
    await expectValidation(
      { method: 'POST', url: '/api/v1/app', body: { name: 'x', uid: 'not valid!' } },
      ['body', 'uid'],
    );
    await expectValidation({ url: '/api/v1/app?limit=251' }, ['query', 'limit']);
    await expectValidation({ url: '/api/v1/app?limit=0' }, ['query', 'limit']);
    await expectError({ url: '/api/v1/nothing-here' }, 404, 'not_found');
    await expectError({ url: '/nothing' }, 404, 'not_found');
    await expectError({ url: '/api/v1/app/app_missing' }, 404, 'not_found');
    const app = (await call({ method: 'POST', url: '/api/v1/app', body: { name: 'errors' } })).body;
    await expectError({ url: `/api/v1/app/${app.id}/endpoint/ep_missing` }, 404, 'not_found');
    await expectError({ url: `/api/v1/app/${app.id}/msg/msg_missing` }, 404, 'not_found');
    await expectError({ url: '/api/v1/event-type/nope.nope' }, 404, 'not_found');
    await expectValidation(
      {
        method: 'POST',
        url: `/api/v1/app/${app.id}/msg`,
        body: { eventType: 'a.b', payload: [1] },
      },
      ['body', 'payload'],
    );
    await expectValidation(
      { method: 'POST', url: `/api/v1/app/${app.id}/endpoint`, body: { url: 'not a url' } },
      ['body', 'url'],
    );
  });

  test('duplicate uid, event type name and eventId are conflicts', async () => {
    await call({ method: 'POST', url: '/api/v1/app', body: { name: 'a', uid: 'dup-app' } });
    await expectError(
      { method: 'POST', url: '/api/v1/app', body: { name: 'b', uid: 'dup-app' } },
      409,
      'conflict',
    );
    await call({
      method: 'POST',
      url: '/api/v1/event-type',
      body: { name: 'dup.type', description: 'x' },
    });
    await expectError(
      { method: 'POST', url: '/api/v1/event-type', body: { name: 'dup.type', description: 'y' } },
      409,
      'conflict',
    );
    await call({
      method: 'POST',
      url: '/api/v1/app/dup-app/endpoint',
      body: { url: 'https://a.example', uid: 'ep-1' },
    });
    await expectError(
      {
        method: 'POST',
        url: '/api/v1/app/dup-app/endpoint',
        body: { url: 'https://b.example', uid: 'ep-1' },
      },
      409,
      'conflict',
    );
    const msg = { eventType: 'dup.type', eventId: 'evt-1', payload: { n: 1 } };
    assert.equal(
      (await call({ method: 'POST', url: '/api/v1/app/dup-app/msg', body: msg })).status,
      202,
    );
    await expectError(
      { method: 'POST', url: '/api/v1/app/dup-app/msg', body: msg },
      409,
      'conflict',
    );
    const list = await call({ url: '/api/v1/app/dup-app/msg' });
    assert.equal(list.body.data.length, 1, 'the rejected duplicate left nothing behind');
  });

  test('an oversized payload is a 413 and stores nothing', async () => {
    await call({ method: 'POST', url: '/api/v1/app', body: { name: 'big', uid: 'big' } });
    await expectError(
      {
        method: 'POST',
        url: '/api/v1/app/big/msg',
        body: { eventType: 'a.b', payload: { blob: 'x'.repeat(3000) } },
      },
      413,
      'payload_too_large',
    );
    assert.equal((await call({ url: '/api/v1/app/big/msg' })).body.data.length, 0);
  });
});

describe('authentication', () => {
  test('missing, malformed and invalid tokens are 401', async () => {
    await expectError({ url: '/api/v1/app', token: null }, 401, 'authentication_failed');
    await expectError({ url: '/api/v1/app', token: 'wrong-token' }, 401, 'authentication_failed');
    await expectError(
      { url: '/api/v1/app', token: null, headers: { authorization: 'Basic abc' } },
      401,
      'authentication_failed',
    );
    assert.equal((await call({ url: '/api/v1/health/ping', token: null })).status, 204);
    assert.equal((await call({ url: '/api/v1/health', token: null })).status, 200);
  });

  test('a portal token acts on its application only, until it expires or logs out', async () => {
    await call({ method: 'POST', url: '/api/v1/app', body: { name: 'mine', uid: 'mine' } });
    await call({ method: 'POST', url: '/api/v1/app', body: { name: 'theirs', uid: 'theirs' } });
    const access = (
      await call({ method: 'POST', url: '/api/v1/auth/app-portal-access/mine', body: {} })
    ).body;
    assert.match(access.url, /\/portal\/#key=/);
    const token = access.token as string;
    assert.equal((await call({ url: '/api/v1/app/mine', token })).status, 200);
    assert.equal(
      (
        await call({
          method: 'POST',
          url: '/api/v1/app/mine/endpoint',
          token,
          body: { url: 'https://m.example' },
        })
      ).status,
      201,
    );
    assert.equal((await call({ url: '/api/v1/event-type', token })).status, 200);
    await expectError({ url: '/api/v1/app/theirs', token }, 403, 'insufficient access');
    await expectError({ url: '/api/v1/app/theirs/endpoint', token }, 403, 'insufficient access');
    await expectError({ url: '/api/v1/app/no-such-app', token }, 403, 'insufficient access');
    await expectError({ url: '/api/v1/app', token }, 403, 'insufficient access');
    await expectError(
      { method: 'POST', url: '/api/v1/event-type', token, body: { name: 'x.y', description: 'x' } },
      403,
      'insufficient access',
    );
    await expectError(
      { method: 'DELETE', url: '/api/v1/app/mine', token },
      403,
      'insufficient access',
    );

    assert.equal((await call({ method: 'POST', url: '/api/v1/auth/logout', token })).status, 204);
    await expectError({ url: '/api/v1/app/mine', token }, 401, 'authentication_failed');

    const second = (
      await call({ method: 'POST', url: '/api/v1/auth/app-portal-access/mine', body: {} })
    ).body.token;
    t.clock.advance(t.config.portalTokenTtlSeconds * 1000 + 1);
    await expectError({ url: '/api/v1/app/mine', token: second }, 401, 'authentication_failed');

    const third = (
      await call({
        method: 'POST',
        url: '/api/v1/auth/app-portal-access/mine',
        body: { expiry: 600 },
      })
    ).body.token;
    assert.equal((await call({ url: '/api/v1/app/mine', token: third })).status, 200);
    assert.equal(
      (await call({ method: 'POST', url: '/api/v1/auth/app/mine/expire-all', body: {} })).status,
      204,
    );
    await expectError({ url: '/api/v1/app/mine', token: third }, 401, 'authentication_failed');
  });
});

describe('conventions', () => {
  test('pagination walks forwards and backwards with iterators', async () => {
    await call({ method: 'POST', url: '/api/v1/app', body: { name: 'pages', uid: 'pages' } });
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) {
      ids.push(
        (
          await call({
            method: 'POST',
            url: '/api/v1/app/pages/msg',
            body: { eventType: 'p.q', payload: { i } },
          })
        ).body.id,
      );
      t.clock.advance(1);
    }
    const newestFirst = [...ids].reverse();
    const first = (await call({ url: '/api/v1/app/pages/msg?limit=3' })).body;
    assert.deepEqual(
      first.data.map((m: { id: string }) => m.id),
      newestFirst.slice(0, 3),
    );
    assert.equal(first.done, false);
    const second = (await call({ url: `/api/v1/app/pages/msg?limit=3&iterator=${first.iterator}` }))
      .body;
    assert.deepEqual(
      second.data.map((m: { id: string }) => m.id),
      newestFirst.slice(3, 6),
    );
    const third = (await call({ url: `/api/v1/app/pages/msg?limit=3&iterator=${second.iterator}` }))
      .body;
    assert.deepEqual(
      third.data.map((m: { id: string }) => m.id),
      newestFirst.slice(6),
    );
    assert.equal(third.done, true);
    const back = (
      await call({
        url: `/api/v1/app/pages/msg?limit=3&iterator=${encodeURIComponent(third.prevIterator)}`,
      })
    ).body;
    assert.deepEqual(
      back.data.map((m: { id: string }) => m.id),
      newestFirst.slice(3, 6),
    );
    const ascending = (await call({ url: '/api/v1/app/pages/msg?limit=2&order=ascending' })).body;
    assert.deepEqual(
      ascending.data.map((m: { id: string }) => m.id),
      ids.slice(0, 2),
    );
  });

  test('id or uid, get_if_exists, upserts and PATCH semantics', async () => {
    const created = await call({
      method: 'POST',
      url: '/api/v1/app',
      body: { name: 'Orig', uid: 'lookup', metadata: { tier: 'gold' } },
    });
    assert.equal(created.status, 201);
    const again = await call({
      method: 'POST',
      url: '/api/v1/app?get_if_exists=true',
      body: { name: 'Other', uid: 'lookup' },
    });
    assert.deepEqual(
      [again.status, again.body.id, again.body.name],
      [200, created.body.id, 'Orig'],
    );
    assert.equal((await call({ url: '/api/v1/app/lookup' })).body.id, created.body.id);
    const patched = await call({
      method: 'PATCH',
      url: '/api/v1/app/lookup',
      body: { name: 'Renamed' },
    });
    assert.deepEqual([patched.body.name, patched.body.metadata], ['Renamed', { tier: 'gold' }]);
    const put = await call({
      method: 'PUT',
      url: '/api/v1/app/brand-new',
      body: { name: 'Upserted' },
    });
    assert.deepEqual([put.status, put.body.uid], [201, 'brand-new']);
    assert.equal(
      (await call({ method: 'PUT', url: '/api/v1/app/brand-new', body: { name: 'Again' } })).status,
      200,
    );
    // An application id that matches nothing is not a uid to create: 404.
    await expectError(
      { method: 'PUT', url: '/api/v1/app/app_01M81Q2ZH4AVNJG7KY6HMJ46A9', body: { name: 'Nope' } },
      404,
      'not_found',
    );
    const et = await call({
      method: 'PUT',
      url: '/api/v1/event-type/up.serted',
      body: { description: 'x' },
    });
    assert.equal(et.status, 201);
    const ep = await call({
      method: 'PUT',
      url: '/api/v1/app/lookup/endpoint/ep-uid',
      body: { url: 'https://u.example' },
    });
    assert.deepEqual([ep.status, ep.body.uid], [201, 'ep-uid']);
    assert.equal((await call({ url: '/api/v1/app/lookup/endpoint/ep-uid' })).body.id, ep.body.id);
    const msg = await call({
      method: 'POST',
      url: '/api/v1/app/lookup/msg',
      body: { eventType: 'x.y', eventId: 'order-9', payload: { a: 1 } },
    });
    assert.equal((await call({ url: '/api/v1/app/lookup/msg/order-9' })).body.id, msg.body.id);
    assert.deepEqual(
      (await call({ url: '/api/v1/app/lookup/msg/order-9?with_content=false' })).body.payload,
      {},
    );
  });

  test('both SDK generations’ field names are accepted and returned', async () => {
    await call({
      method: 'POST',
      url: '/api/v1/app',
      body: { name: 'alias', uid: 'alias', throttleRate: 7 },
    });
    assert.equal((await call({ url: '/api/v1/app/alias' })).body.rateLimit, 7);
    await call({
      method: 'POST',
      url: '/api/v1/event-type',
      body: { name: 'al.one', description: 'x' },
    });
    const ep = await call({
      method: 'POST',
      url: '/api/v1/app/alias/endpoint',
      body: { url: 'https://a.example', eventTypes: ['al.one'], rateLimit: 3 },
    });
    assert.deepEqual(
      [ep.body.filterTypes, ep.body.eventTypes, ep.body.throttleRate, ep.body.rateLimit],
      [['al.one'], ['al.one'], 3, 3],
    );
    await expectValidation(
      {
        method: 'POST',
        url: '/api/v1/app/alias/endpoint',
        body: { url: 'https://a.example', filterTypes: ['missing.type'] },
      },
      ['body', 'filterTypes', 0],
    );
    await expectValidation(
      {
        method: 'POST',
        url: '/api/v1/app/alias/endpoint',
        body: { url: 'https://a.example', headers: { 'Webhook-Signature': 'x' } },
      },
      ['body', 'headers', 'Webhook-Signature'],
    );
  });

  test('Idempotency-Key replays the first 2xx answer and creates nothing new', async () => {
    const post = (key: string, name: string, token?: string) =>
      call({
        method: 'POST',
        url: '/api/v1/app',
        body: { name },
        headers: { 'idempotency-key': key },
        ...(token ? { token } : {}),
      });
    const first = await post('key-1', 'Idem');
    const second = await post('key-1', 'Idem');
    assert.deepEqual([first.status, second.status], [201, 201]);
    assert.equal(second.body.id, first.body.id);
    assert.equal(second.headers['idempotent-replayed'], 'true');
    const third = await post('key-2', 'Idem');
    assert.notEqual(third.body.id, first.body.id);
    // A failed first request does not keep the key.
    const bad = await call({
      method: 'POST',
      url: '/api/v1/app',
      body: { name: 5 },
      headers: { 'idempotency-key': 'key-3' },
    });
    assert.equal(bad.status, 422);
    assert.equal((await post('key-3', 'Fixed')).status, 201);
    // Concurrent duplicates wait for the first and get its answer.
    const [a, b] = await Promise.all([post('key-4', 'Race'), post('key-4', 'Race')]);
    assert.equal(a.body.id, b.body.id);
  });

  test('a trailing or doubled slash reaches the same route', async () => {
    assert.equal((await call({ url: '//api/v1/app' })).status, 200);
    assert.equal((await call({ url: '/api/v1/app/' })).status, 200);
  });
});
