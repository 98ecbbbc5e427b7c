// The operator console's session: the operator token is exchanged for an HttpOnly,
// SameSite=Strict cookie that counts only with its CSRF token in the X-Herald-CSRF header.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { systemRandom } from '../../src/domain/clock.ts';
import { createIdGenerator } from '../../src/domain/ids.ts';
import { hashToken } from '../../src/services/auth.ts';
import { createConsoleSessions } from '../../src/services/console-sessions.ts';
import { client } from '../helpers/client.ts';
import { adminToken, createTestApp, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
let c: ReturnType<typeof client>;

before(async () => {
  t = await createTestApp();
  c = client(t);
  await c.createApp({ name: 'Acme', uid: 'acme' });
});

after(async () => {
  await t.close();
});

type Session = { cookie: string; setCookie: string; csrf: string; expiresAt: string };

async function login(app: TestApp = t): Promise<Session> {
  const r = await client(app).call({
    method: 'POST',
    url: '/api/v1/auth/console-session',
    token: null,
    body: { token: adminToken },
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const setCookie = String(r.headers['set-cookie']);
  const cookie = setCookie.split(';')[0] ?? '';
  assert.match(cookie, /^herald_console=[A-Za-z0-9_-]{40,}$/);
  assert.equal(typeof r.body.csrfToken, 'string');
  return { cookie, setCookie, csrf: r.body.csrfToken, expiresAt: r.body.expiresAt };
}

/** A request authenticated by the session cookie alone (no bearer token). */
const withSession = (s: Session, csrf: string | null, extra: Record<string, string> = {}) => ({
  token: null,
  headers: { cookie: s.cookie, ...(csrf === null ? {} : { 'x-herald-csrf': csrf }), ...extra },
});

describe('logging in', () => {
  test('the cookie is HttpOnly, SameSite=Strict, sent to the API only, and lasts the session lifetime', async () => {
    const s = await login();
    const attributes = s.setCookie.split(';').map((a) => a.trim().toLowerCase());
    assert.ok(attributes.includes('httponly'), s.setCookie);
    assert.ok(attributes.includes('samesite=strict'), s.setCookie);
    assert.ok(attributes.includes('path=/api/v1'), s.setCookie);
    assert.ok(attributes.includes(`max-age=${t.config.consoleSessionTtlSeconds}`), s.setCookie);
    assert.ok(!attributes.includes('secure'), 'no Secure flag over plain http');
    assert.equal(Date.parse(s.expiresAt), t.clock.now() + t.config.consoleSessionTtlSeconds * 1000);
  });

  test('a wrong operator token is a coded 401 and sets no cookie', async () => {
    for (const token of ['wrong', `${adminToken}x`]) {
      const r = await c.expectError(
        { method: 'POST', url: '/api/v1/auth/console-session', token: null, body: { token } },
        401,
        'authentication_failed',
      );
      assert.equal(r.headers['set-cookie'], undefined);
    }
  });

  test('an application-scoped portal token cannot open a console session', async () => {
    const portal = await c.ok(
      { method: 'POST', url: '/api/v1/auth/app-portal-access/acme', body: {} },
      200,
    );
    const r = await c.expectError(
      {
        method: 'POST',
        url: '/api/v1/auth/console-session',
        token: null,
        body: { token: portal.token },
      },
      401,
      'authentication_failed',
    );
    assert.equal(r.headers['set-cookie'], undefined);
  });

  test('behind an https public URL the cookie is also Secure', async () => {
    const secure = await createTestApp({ config: { publicUrl: 'https://herald.example.com' } });
    try {
      const s = await login(secure);
      assert.ok(s.setCookie.split(';').some((a) => a.trim().toLowerCase() === 'secure'));
    } finally {
      await secure.close();
    }
  });
});

describe('using the session', () => {
  test('the cookie without the CSRF header is refused, for reads and writes alike', async () => {
    const s = await login();
    await c.expectError({ url: '/api/v1/app', ...withSession(s, null) }, 403, 'csrf_failed');
    await c.expectError(
      { method: 'POST', url: '/api/v1/app', body: { name: 'Forged' }, ...withSession(s, null) },
      403,
      'csrf_failed',
    );
    const apps = await c.ok({ url: '/api/v1/app' });
    assert.deepEqual(
      apps.data.map((a: { name: string }) => a.name),
      ['Acme'],
      'nothing was created',
    );
  });

  test('a wrong CSRF token is refused, including the token of another session', async () => {
    const s = await login();
    const other = await login();
    for (const csrf of ['', 'x', `${s.csrf}x`, other.csrf]) {
      await c.expectError({ url: '/api/v1/app', ...withSession(s, csrf) }, 403, 'csrf_failed');
    }
  });

  test('with its CSRF token the session acts as the operator on the API', async () => {
    const s = await login();
    const listed = await c.ok({ url: '/api/v1/app', ...withSession(s, s.csrf) });
    assert.equal(listed.data[0].name, 'Acme');
    const created = await c.ok({
      method: 'POST',
      url: '/api/v1/app',
      body: { name: 'Made in the console' },
      ...withSession(s, s.csrf),
    });
    await c.ok(
      { method: 'DELETE', url: `/api/v1/app/${created.id}`, ...withSession(s, s.csrf) },
      204,
    );
    const state = await c.ok({ url: '/api/v1/auth/console-session', ...withSession(s, null) });
    assert.deepEqual(state, { active: true, csrfToken: s.csrf, expiresAt: s.expiresAt });
  });

  test('the session id is no bearer token, and a bearer token decides alone when present', async () => {
    const s = await login();
    const sessionId = s.cookie.slice('herald_console='.length);
    await c.expectError({ url: '/api/v1/app', token: sessionId }, 401, 'authentication_failed');
    // A wrong bearer token is not rescued by a valid session.
    await c.expectError(
      {
        url: '/api/v1/app',
        token: 'wrong',
        headers: { cookie: s.cookie, 'x-herald-csrf': s.csrf },
      },
      401,
      'authentication_failed',
    );
    // The operator's bearer token works whatever cookie comes with it.
    await c.ok({ url: '/api/v1/app', headers: { cookie: 'herald_console=junk' } });
  });

  test('the cookie grants nothing outside /api/v1: pages answer the same, /v1 still wants a token', async () => {
    const s = await login();
    for (const url of ['/console/', '/portal/', '/play/abc', '/assets/herald.css']) {
      const plain = await c.call({ url, token: null, expect: 'text' });
      const withCookie = await c.call({ url, expect: 'text', ...withSession(s, s.csrf) });
      assert.equal(withCookie.status, plain.status, url);
      assert.equal(withCookie.text, plain.text, url);
      assert.equal(withCookie.headers['set-cookie'], undefined, url);
    }
    await c.expectError(
      { url: '/v1/webhooks', ...withSession(s, s.csrf) },
      401,
      'authentication_failed',
    );
  });
});

describe('ending the session', () => {
  test('logging out needs the CSRF token, clears the cookie and ends the session', async () => {
    const s = await login();
    await c.expectError(
      { method: 'DELETE', url: '/api/v1/auth/console-session', ...withSession(s, null) },
      403,
      'csrf_failed',
    );
    await c.ok({ url: '/api/v1/app', ...withSession(s, s.csrf) });
    const out = await c.call({
      method: 'DELETE',
      url: '/api/v1/auth/console-session',
      ...withSession(s, s.csrf),
    });
    assert.equal(out.status, 204);
    assert.match(String(out.headers['set-cookie']), /^herald_console=;.*Max-Age=0/i);
    await c.expectError(
      { url: '/api/v1/app', ...withSession(s, s.csrf) },
      401,
      'authentication_failed',
    );
    const state = await c.ok({ url: '/api/v1/auth/console-session', ...withSession(s, null) });
    assert.deepEqual(state, { active: false, csrfToken: null, expiresAt: null });
  });

  test('changing the operator token ends every session', async () => {
    const s = await login();
    const sessionId = s.cookie.slice('herald_console='.length);
    const sessions = (token: string) =>
      createConsoleSessions({
        store: t.store,
        clock: t.clock,
        random: systemRandom,
        newId: createIdGenerator(t.clock, systemRandom),
        ttlSeconds: 3600,
        adminTokenHash: hashToken(token),
      });
    assert.notEqual(await sessions(adminToken).find(sessionId), null);
    assert.equal(await sessions('a_new_operator_token_0123456789').find(sessionId), null);
  });

  test('an expired session is refused', async () => {
    const s = await login();
    t.clock.advance(t.config.consoleSessionTtlSeconds * 1000 - 1000);
    await c.ok({ url: '/api/v1/app', ...withSession(s, s.csrf) });
    t.clock.advance(1000);
    await c.expectError(
      { url: '/api/v1/app', ...withSession(s, s.csrf) },
      401,
      'authentication_failed',
    );
    const state = await c.ok({ url: '/api/v1/auth/console-session', ...withSession(s, null) });
    assert.equal(state.active, false);
  });
});
