// Authentication and access: missing and invalid tokens, app-portal tokens scoped to one
// application, their expiry, logout and expire-all.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { client } from '../helpers/client.ts';
import { adminToken, createTestApp, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
let c: ReturnType<typeof client>;
let mine: { id: string };
let theirs: { id: string };
let theirEndpoint: { id: string };

before(async () => {
  t = await createTestApp();
  c = client(t);
  mine = await c.createApp({ name: 'Mine', uid: 'mine' });
  theirs = await c.createApp({ name: 'Theirs', uid: 'theirs' });
  theirEndpoint = await c.createEndpoint('theirs', { uid: 'their-ep' });
  await c.createEventType('auth.test');
});

after(async () => {
  await t.close();
});

const denied = (url: string, token: string, method: 'GET' | 'POST' = 'GET', body?: unknown) =>
  c.expectError({ method, url, token, body }, 403, 'insufficient access');

const unauthenticated = (url: string, token: string | null, headers?: Record<string, string>) =>
  c.expectError({ url, token, ...(headers ? { headers } : {}) }, 401, 'authentication_failed');

describe('tokens', () => {
  test('a missing, malformed or unknown token is a 401 on every kind of route', async () => {
    for (const url of [
      '/api/v1/app',
      '/api/v1/app/mine',
      '/api/v1/app/mine/endpoint',
      '/api/v1/event-type',
      '/api/v1/background-task',
    ]) {
      await unauthenticated(url, null);
      await unauthenticated(url, 'wrong-token');
      await unauthenticated(url, `${adminToken}x`);
      await unauthenticated(url, null, { authorization: `Basic ${adminToken}` });
      await unauthenticated(url, null, { authorization: 'Bearer' });
      await unauthenticated(url, null, { authorization: adminToken });
    }
    await c.expectError(
      { method: 'POST', url: '/api/v1/app', body: { name: 'x' }, token: null },
      401,
      'authentication_failed',
    );
    assert.equal((await c.ok({ url: '/api/v1/app' })).data.length, 2, 'nothing was created');
  });

  test('the operator token is accepted with any case of "Bearer"', async () => {
    const r = await c.call({
      url: '/api/v1/app',
      token: null,
      headers: { authorization: `bearer ${adminToken}` },
    });
    assert.equal(r.status, 200);
  });
});

describe('app-portal tokens', () => {
  test('app-portal-access answers a url and a token that act on that application', async () => {
    const access = await c.ok(
      { method: 'POST', url: '/api/v1/auth/app-portal-access/mine', body: {} },
      200,
    );
    assert.equal(typeof access.token, 'string');
    assert.ok(access.url.includes(encodeURIComponent(access.token)), 'the url carries the token');
    const token = access.token;
    assert.equal((await c.ok({ url: '/api/v1/app/mine', token })).id, mine.id);
    assert.equal((await c.ok({ url: `/api/v1/app/${mine.id}`, token })).uid, 'mine');
    const ep = await c.ok({
      method: 'POST',
      url: '/api/v1/app/mine/endpoint',
      token,
      body: { url: 'https://mine.example' },
    });
    assert.equal((await c.ok({ url: '/api/v1/app/mine/endpoint', token })).data[0].id, ep.id);
    assert.equal((await c.ok({ url: '/api/v1/app/mine/msg', token })).data.length, 0);
    assert.ok((await c.ok({ url: '/api/v1/event-type', token })).data.length > 0);
    // Also by id.
    const byId = await c.ok(
      { method: 'POST', url: `/api/v1/auth/app-portal-access/${mine.id}`, body: {} },
      200,
    );
    assert.equal((await c.ok({ url: '/api/v1/app/mine', token: byId.token })).id, mine.id);
    await c.expectError(
      { method: 'POST', url: '/api/v1/auth/app-portal-access/no-such-app', body: {} },
      404,
      'not_found',
    );
  });

  test('a portal token used on another application is a 403', async () => {
    const token = await c.portalToken('mine');
    await denied('/api/v1/app/theirs', token);
    await denied(`/api/v1/app/${theirs.id}`, token);
    await denied('/api/v1/app/theirs/endpoint', token);
    await denied(`/api/v1/app/theirs/endpoint/${theirEndpoint.id}`, token);
    await denied('/api/v1/app/theirs/endpoint/their-ep/secret', token);
    await denied('/api/v1/app/theirs/msg', token);
    await denied('/api/v1/app/theirs/endpoint', token, 'POST', { url: 'https://evil.example' });
    // Whether an application exists is not revealed either.
    await denied('/api/v1/app/no-such-app', token);
    // Another application's endpoint is not reachable through one's own application.
    await c.expectError(
      { url: `/api/v1/app/mine/endpoint/${theirEndpoint.id}`, token },
      404,
      'not_found',
    );
    assert.equal((await c.ok({ url: '/api/v1/app/theirs/endpoint' })).data.length, 1);
  });

  test('a portal token on operator-only routes is a 403', async () => {
    const token = await c.portalToken('mine');
    await denied('/api/v1/app', token);
    await denied('/api/v1/app', token, 'POST', { name: 'sneaky' });
    await denied('/api/v1/event-type', token, 'POST', { name: 'x.y', description: 'x' });
    await denied('/api/v1/background-task', token);
    await denied('/api/v1/auth/app-portal-access/mine', token, 'POST', {});
    await denied('/api/v1/auth/app-portal-access/theirs', token, 'POST', {});
    await denied('/api/v1/auth/app/mine/expire-all', token, 'POST', {});
    await c.expectError(
      { method: 'DELETE', url: '/api/v1/app/mine', token },
      403,
      'insufficient access',
    );
    await c.expectError(
      { method: 'PATCH', url: '/api/v1/app/mine', token, body: { name: 'x' } },
      403,
      'insufficient access',
    );
    await c.expectError(
      { method: 'DELETE', url: '/api/v1/event-type/auth.test', token },
      403,
      'insufficient access',
    );
    assert.equal((await c.ok({ url: '/api/v1/app/mine' })).name, 'Mine');
    assert.equal((await c.ok({ url: '/api/v1/event-type/auth.test' })).archived, false);
    assert.equal((await c.ok({ url: '/api/v1/app' })).data.length, 2);
  });

  test('a portal token expires after portalTokenTtlSeconds, or its own expiry', async () => {
    const token = await c.portalToken('mine');
    t.clock.advance(t.config.portalTokenTtlSeconds * 1000 - 1000);
    assert.equal((await c.call({ url: '/api/v1/app/mine', token })).status, 200);
    t.clock.advance(1001);
    await unauthenticated('/api/v1/app/mine', token);

    const short = (
      await c.ok(
        { method: 'POST', url: '/api/v1/auth/app-portal-access/mine', body: { expiry: 60 } },
        200,
      )
    ).token;
    assert.equal((await c.call({ url: '/api/v1/app/mine', token: short })).status, 200);
    t.clock.advance(60_000);
    await unauthenticated('/api/v1/app/mine', short);
    await c.expectValidation(
      { method: 'POST', url: '/api/v1/auth/app-portal-access/mine', body: { expiry: 'soon' } },
      ['body', 'expiry'],
    );
  });

  test('logout ends the token it carries and no other', async () => {
    const token = await c.portalToken('mine');
    const other = await c.portalToken('mine');
    assert.equal((await c.call({ method: 'POST', url: '/api/v1/auth/logout', token })).status, 204);
    await unauthenticated('/api/v1/app/mine', token);
    await c.expectError(
      { method: 'POST', url: '/api/v1/auth/logout', token },
      401,
      'authentication_failed',
    );
    assert.equal((await c.call({ url: '/api/v1/app/mine', token: other })).status, 200);
    // The operator token cannot be logged out.
    assert.equal((await c.call({ method: 'POST', url: '/api/v1/auth/logout' })).status, 204);
    assert.equal((await c.call({ url: '/api/v1/app' })).status, 200);
  });

  test("expire-all ends every portal token of the application, not other applications'", async () => {
    const a = await c.portalToken('mine');
    const b = await c.portalToken('mine');
    const foreign = await c.portalToken('theirs');
    assert.equal(
      (await c.call({ method: 'POST', url: '/api/v1/auth/app/mine/expire-all', body: {} })).status,
      204,
    );
    await unauthenticated('/api/v1/app/mine', a);
    await unauthenticated('/api/v1/app/mine', b);
    assert.equal((await c.call({ url: '/api/v1/app/theirs', token: foreign })).status, 200);
    // A token issued afterwards works.
    const fresh = await c.portalToken('mine');
    assert.equal((await c.call({ url: '/api/v1/app/mine', token: fresh })).status, 200);
    await c.expectError(
      { method: 'POST', url: '/api/v1/auth/app/no-such-app/expire-all', body: {} },
      404,
      'not_found',
    );
  });

  test('app-portal-access and expire-all take a POST without a body, or an empty JSON one, as {}', async () => {
    // `raw: undefined` sends no body and no content type; `raw: ''` an empty application/json body.
    for (const raw of [undefined, '']) {
      const access = await c.ok(
        { method: 'POST', url: '/api/v1/auth/app-portal-access/mine', raw },
        200,
      );
      assert.ok(access.url.includes(encodeURIComponent(access.token)), 'the url carries the token');
      assert.equal((await c.ok({ url: '/api/v1/app/mine', token: access.token })).id, mine.id);
      // The default lifetime, as with `{}`.
      t.clock.advance(t.config.portalTokenTtlSeconds * 1000 - 1000);
      assert.equal((await c.call({ url: '/api/v1/app/mine', token: access.token })).status, 200);

      const expired = await c.call({
        method: 'POST',
        url: '/api/v1/auth/app/mine/expire-all',
        raw,
      });
      assert.equal(expired.status, 204);
      await unauthenticated('/api/v1/app/mine', access.token);
    }
  });
});
