// What the portal relies on in the public API: read-only portal tokens (every write refused
// with a coded 403), whoami, logout, and the per-interval stats of an endpoint's attempts.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import { client, type Method } from '../helpers/client.ts';
import { type Receiver, startReceiver } from '../helpers/receiver.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
let c: ReturnType<typeof client>;
let receiver: Receiver;

before(async () => {
  t = await createTestApp({ config: { allowedSubnets: ['127.0.0.1/32'] } });
  c = client(t);
  receiver = await startReceiver();
  await c.createApp({ name: 'Reader', uid: 'reader' });
  await c.createEventType('portal.read');
});

// A test that fails midway must not leave its answers or requests to the next.
afterEach(() => receiver.reset());

after(async () => {
  await t.close();
  await receiver.close();
});

const portalLink = async (app: string, body: Record<string, unknown> = {}) =>
  (await c.ok({ method: 'POST', url: `/api/v1/auth/app-portal-access/${app}`, body }, 200))
    .token as string;

describe('read-only portal tokens', () => {
  test('read, and see they are read-only through whoami', async () => {
    const token = await portalLink('reader', { readOnly: true });
    const app = await c.ok({ url: '/api/v1/app/reader', token });
    const who = await c.ok({ url: '/api/v1/auth/whoami', token });
    assert.deepEqual([who.kind, who.appId, who.readOnly], ['application', app.id, true]);
    assert.ok(Date.parse(who.expiresAt) > t.clock.now());
    const full = await c.ok({ url: '/api/v1/auth/whoami', token: await portalLink('reader') });
    assert.equal(full.readOnly, false);
    const operator = await c.ok({ url: '/api/v1/auth/whoami' });
    assert.deepEqual([operator.kind, operator.appId], ['operator', null]);
  });

  test('every write route of the API refuses them with 403 read_only, and nothing changes', async () => {
    const endpoint = await c.createEndpoint('reader', { uid: 'kept' });
    const msg = await c.publish('reader', { eventType: 'portal.read', payload: { n: 1 } });
    const readOnly = await portalLink('reader', { readOnly: true });
    const document = JSON.parse(
      readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'openapi.json'), 'utf8'),
    ) as { paths: Record<string, Record<string, unknown>> };
    const values: Record<string, string> = {
      app_id: 'reader',
      endpoint_id: endpoint.id,
      msg_id: msg.id,
      attempt_id: 'atmpt_2VJbFZ2QKc8sxtW1lTNgIBNE0jT',
      event_type_name: 'portal.read',
      id: endpoint.id,
      task_id: 'qtask_2VJbFZ2QKc8sxtW1lTNgIBNE0jT',
    };
    const refused: string[] = [];
    for (const [path, methods] of Object.entries(document.paths)) {
      for (const method of Object.keys(methods)) {
        // Logging out is no write; the console's login and logout take no bearer token.
        if (method === 'get' || path === '/api/v1/auth/logout') continue;
        if (path === '/api/v1/auth/console-session') continue;
        const url = path.replaceAll(/\{(\w+)\}/g, (_, name: string) => values[name] ?? 'x');
        const r = await c.call({
          method: method.toUpperCase() as Method,
          url,
          token: readOnly,
          body: {},
        });
        assert.equal(r.status, 403, `${method} ${path}`);
        // Operator-only routes refuse any portal token; the others refuse it as read-only.
        assert.ok(['read_only', 'insufficient access'].includes(r.body.code), `${method} ${path}`);
        if (r.body.code === 'read_only') refused.push(`${method} ${path}`);
      }
    }
    // Every write a full portal token may make (the application's endpoints and deliveries,
    // and a Play inbox).
    assert.equal(refused.length, 14, refused.join('\n'));
    for (const route of [
      'post /api/v1/app/{app_id}/endpoint',
      'delete /api/v1/app/{app_id}/endpoint/{endpoint_id}',
      'post /api/v1/app/{app_id}/endpoint/{endpoint_id}/secret/rotate',
      'post /api/v1/app/{app_id}/endpoint/{endpoint_id}/send-example',
      'post /api/v1/app/{app_id}/msg/{msg_id}/endpoint/{endpoint_id}/resend',
      'post /api/v1/app/{app_id}/endpoint/{endpoint_id}/recover',
      'post /api/v1/play/inbox',
    ]) {
      assert.ok(refused.includes(route), route);
    }
    const after = await c.ok({ url: `/api/v1/app/reader/endpoint/${endpoint.id}` });
    assert.deepEqual(
      [after.disabled, after.url, after.uid],
      [endpoint.disabled, endpoint.url, endpoint.uid],
    );
    assert.equal((await c.ok({ url: '/api/v1/app/reader/msg' })).data.length, 1);
  });

  test('may still log out, which revokes the token', async () => {
    const token = await portalLink('reader', { readOnly: true });
    await c.ok({ method: 'POST', url: '/api/v1/auth/logout', token }, 204);
    await c.expectError({ url: '/api/v1/app/reader', token }, 401, 'authentication_failed');
  });
});

describe('endpoint stats over time', () => {
  test('counts successes and failures per interval, with empty intervals as zeros', async () => {
    await c.createApp({ name: 'Charted', uid: 'charted' });
    const endpoint = await c.createEndpoint('charted', { url: receiver.url });
    const start = t.clock.now();
    receiver.respond((_, n) => ({ status: n === 2 ? 500 : 200 }));
    for (let i = 0; i < 3; i++) {
      await c.publish('charted', { eventType: 'portal.read', payload: { i } });
      await t.dispatcher.runDue();
      t.clock.advance(60_000);
    }
    const token = await portalLink('charted', { readOnly: true });
    const url = `/api/v1/app/charted/endpoint/${endpoint.id}/stats/timeseries`;
    const since = new Date(start).toISOString();
    const until = new Date(start + 5 * 60_000).toISOString();
    const series = await c.ok({ url: `${url}?since=${since}&until=${until}&interval=60`, token });
    assert.equal(series.interval, 60);
    assert.deepEqual(
      series.data.map((b: { success: number; fail: number }) => [b.success, b.fail]),
      // Minute 2 holds the third message and the retry of the second, both successful.
      [
        [1, 0],
        [0, 1],
        [2, 0],
        [0, 0],
        [0, 0],
      ],
    );
    assert.equal(series.data[1].start, new Date(start + 60_000).toISOString());

    const byDefault = await c.ok({ url, token });
    assert.equal(byDefault.interval, 1800, 'about 48 intervals over the last 24 hours');
    assert.equal(byDefault.data.length, 48);
    const total = byDefault.data.reduce(
      (sum: number, b: { success: number; fail: number }) => sum + b.success + b.fail,
      0,
    );
    assert.equal(total, 4);

    await c.expectValidation({ url: `${url}?since=${until}&until=${since}`, token }, [
      'query',
      'since',
    ]);
    await c.expectValidation({ url: `${url}?since=${since}&until=${until}&interval=0`, token }, [
      'query',
      'interval',
    ]);
    await c.expectValidation({ url: `${url}?interval=60&since=2000-01-01T00:00:00Z`, token }, [
      'query',
      'interval',
    ]);
  });

  test("another application's portal token may not read it", async () => {
    await c.createApp({ name: 'Other', uid: 'other-chart' });
    const endpoint = await c.createEndpoint('charted', { uid: 'private' });
    const token = await portalLink('other-chart');
    await c.expectError(
      { url: `/api/v1/app/charted/endpoint/${endpoint.id}/stats/timeseries`, token },
      403,
      'insufficient access',
    );
  });
});

describe('background tasks through a portal token', () => {
  test("its own application's recovery is readable; another application's is not found", async () => {
    await c.createApp({ name: 'Recovering', uid: 'recovering' });
    const endpoint = await c.createEndpoint('recovering', { uid: 'rec' });
    const token = await portalLink('recovering');
    const since = new Date(t.clock.now() - 3_600_000).toISOString();
    const started = await c.ok(
      {
        method: 'POST',
        url: `/api/v1/app/recovering/endpoint/${endpoint.id}/recover`,
        token,
        body: { since },
      },
      202,
    );
    const task = await c.ok({ url: `/api/v1/background-task/${started.id}`, token });
    assert.equal(task.task, 'endpoint.recover');
    const stranger = await portalLink('reader');
    await c.expectError(
      { url: `/api/v1/background-task/${started.id}`, token: stranger },
      404,
      'not_found',
    );
    await c.expectError({ url: '/api/v1/background-task', token }, 403, 'insufficient access');
  });
});
