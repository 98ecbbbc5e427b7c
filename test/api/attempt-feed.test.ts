// GET /api/v1/attempt: the operator's feed of attempts across applications (what
// `herald tail` follows): oldest first, filtered, resumable from the last attempt seen.
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import { client, type Json } from '../helpers/client.ts';
import { type Receiver, startReceiver } from '../helpers/receiver.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
let c: ReturnType<typeof client>;
let receiver: Receiver;

before(async () => {
  t = await createTestApp();
  c = client(t);
  // Requests to .../down fail with 500; the others succeed.
  receiver = await startReceiver((request) => ({
    status: request.path.endsWith('/down') ? 500 : 200,
  }));
  await c.createEventType('a.b');
  await c.createApp({ name: 'up', uid: 'up' });
  await c.createApp({ name: 'down', uid: 'down' });
  await c.createEndpoint('up', { uid: 'one', url: `${receiver.url}/up` });
  await c.createEndpoint('down', { uid: 'two', url: `${receiver.url}/down` });
});

// A test that fails midway must not leave its answers or requests to the next.
afterEach(() => receiver.reset());

after(async () => {
  await t.close();
  await receiver.close();
});

const feed = (query: string, token?: string) =>
  c.call({ url: `/api/v1/attempt?${query}`, ...(token ? { token } : {}) });
const since = () => encodeURIComponent(new Date(t.clock.now()).toISOString());

test('attempts of every application, oldest first, filtered by application and status', async () => {
  const start = since();
  await c.publish('up', { eventType: 'a.b', eventId: 'u1' });
  await c.publish('down', { eventType: 'a.b', eventId: 'd1' });
  await c.publish('up', { eventType: 'a.b', eventId: 'u2' });
  await t.dispatcher.runDue();

  const all = (await feed(`since=${start}`)).body;
  assert.equal(all.data.length, 3);
  assert.equal(all.done, true);
  const ids = all.data.map((a: Json) => a.id);
  assert.deepEqual(ids, [...ids].sort());
  assert.equal(all.iterator, ids[2]);
  const upApp = all.data.find((a: Json) => a.url.endsWith('/up')).appId;
  assert.match(upApp, /^app_/);

  const up = (await feed(`since=${start}&app_id=up`)).body.data;
  assert.deepEqual(
    up.map((a: Json) => [a.appId, a.statusText, a.responseStatusCode]),
    [
      [upApp, 'success', 200],
      [upApp, 'success', 200],
    ],
  );
  const failed = (await feed(`since=${start}&status=2`)).body.data;
  assert.deepEqual(
    failed.map((a: Json) => [a.url.endsWith('/down'), a.responseStatusCode]),
    [[true, 500]],
  );
  const byEndpoint = (await feed(`since=${start}&app_id=down&endpoint_id=two`)).body.data;
  assert.equal(byEndpoint.length, 1);
});

test('a follower resumes after the last attempt it saw, page by page', async () => {
  const first = (await feed(`since=${encodeURIComponent(new Date(0).toISOString())}&limit=2`)).body;
  assert.equal(first.data.length, 2);
  assert.equal(first.done, false);
  const rest = (await feed(`after=${first.iterator}&limit=250`)).body;
  assert.equal(rest.done, true);
  const last = rest.iterator;
  // Nothing new: the answer is empty and the position stays where it was.
  const idle = (await feed(`after=${last}`)).body;
  assert.deepEqual([idle.data, idle.iterator, idle.done], [[], last, true]);

  await c.publish('up', { eventType: 'a.b', eventId: 'u3' });
  await t.dispatcher.runDue();
  const fresh = (await feed(`after=${last}`)).body.data;
  assert.equal(fresh.length, 1);
  assert.equal(fresh[0].msgId, (await c.ok({ url: '/api/v1/app/up/msg/u3' })).id);
});

test('operator only; an endpoint filter needs its application', async () => {
  const token = await c.portalToken('up');
  await c.expectError({ url: '/api/v1/attempt?app_id=up', token }, 403, 'insufficient access');
  await c.expectError({ url: '/api/v1/attempt?endpoint_id=one' }, 400, 'generic_error');
  await c.expectError({ url: '/api/v1/attempt?app_id=nobody' }, 404, 'not_found');
});
