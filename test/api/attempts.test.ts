// Publishing fan-out and what the API shows of deliveries: one pending delivery per matching
// enabled endpoint, listed per message and per endpoint, endpoint stats, scheduled delivery,
// send-example, recover (a background task) and manual resend.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { client, type Json } from '../helpers/client.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
let c: ReturnType<typeof client>;

before(async () => {
  t = await createTestApp();
  c = client(t);
  await c.createEventType('order.created');
  await c.createEventType('order.paid');
  await c.createEventType('with.example', {
    schemas: {
      '1': {
        type: 'object',
        properties: { orderId: { type: 'string' } },
        examples: [{ orderId: 'ord_example', total: 10 }],
      },
    },
  });
  await c.createEventType('no.example', { schemas: { '1': { type: 'object' } } });
});

after(async () => {
  await t.close();
});

const sorted = (xs: string[]) => [...xs].sort();
const nowIso = () => new Date(t.clock.now()).toISOString();

/** An application with endpoints that differ in filters, channels and state. */
async function fanOutApp(uid: string) {
  await c.createApp({ name: uid, uid });
  const all = await c.createEndpoint(uid, { uid: 'all' });
  const created = await c.createEndpoint(uid, { uid: 'created', filterTypes: ['order.created'] });
  const paid = await c.createEndpoint(uid, { uid: 'paid', eventTypes: ['order.paid'] });
  const eu = await c.createEndpoint(uid, { uid: 'eu', channels: ['eu'] });
  const off = await c.createEndpoint(uid, { uid: 'off', disabled: true });
  return { all, created, paid, eu, off };
}

const destinations = async (app: string, msg: string): Promise<Json[]> => {
  const page = await c.ok({ url: `/api/v1/app/${app}/msg/${msg}/endpoint` });
  assert.equal(page.done, true);
  return page.data;
};

describe('publishing fan-out', () => {
  test('one pending delivery per matching enabled endpoint, visible per message', async () => {
    const eps = await fanOutApp('fan');
    const created = await c.publish('fan', { eventType: 'order.created', payload: { n: 1 } });
    const toCreated = await destinations('fan', created.id);
    assert.deepEqual(
      sorted(toCreated.map((d) => d.id)),
      sorted([eps.all.id, eps.created.id]),
      'no filter takes every type; a filter takes its types; channels and disabled exclude',
    );
    for (const d of toCreated) {
      assert.equal(d.status, 1);
      assert.equal(d.statusText, 'pending');
      assert.equal(d.nextAttempt, nowIso());
      assert.equal(typeof d.url, 'string');
    }

    const paidEu = await c.publish('fan', { eventType: 'order.paid', channels: ['eu', 'x'] });
    assert.deepEqual(
      sorted((await destinations('fan', paidEu.id)).map((d) => d.id)),
      sorted([eps.all.id, eps.paid.id, eps.eu.id]),
    );
    const other = await c.publish('fan', { eventType: 'unfiltered.type', channels: ['us'] });
    assert.deepEqual(
      (await destinations('fan', other.id)).map((d) => d.id),
      [eps.all.id],
    );
    // Lookups by uid and eventId reach the same listing.
    const byEventId = await c.publish('fan', { eventType: 'order.created', eventId: 'evt-fan' });
    assert.equal((await destinations('fan', 'evt-fan')).length, 2);
    assert.equal(byEventId.eventId, 'evt-fan');
  });

  test('per endpoint: the messages it gets, newest first, with status and nextAttempt', async () => {
    const eps = await fanOutApp('per-ep');
    const first = await c.publish('per-ep', { eventType: 'order.created', payload: { n: 1 } });
    t.clock.advance(1000);
    const second = await c.publish('per-ep', { eventType: 'order.paid', payload: { n: 2 } });
    const list = (ep: string, q = '') => c.ok({ url: `/api/v1/app/per-ep/endpoint/${ep}/msg${q}` });

    const all = await list('all');
    assert.deepEqual(
      all.data.map((m: Json) => m.id),
      [second.id, first.id],
    );
    assert.deepEqual(
      all.data.map((m: Json) => [m.status, m.statusText]),
      [
        [1, 'pending'],
        [1, 'pending'],
      ],
    );
    assert.equal(all.data[0].nextAttempt, nowIso());
    assert.deepEqual(all.data[0].payload, { n: 2 });
    assert.equal(all.done, true);
    assert.deepEqual(
      (await list(eps.created.id)).data.map((m: Json) => m.id),
      [first.id],
    );
    assert.deepEqual(
      (await list('paid')).data.map((m: Json) => m.id),
      [second.id],
    );
    assert.deepEqual((await list('off')).data, []);
    assert.deepEqual((await list('eu')).data, []);
    assert.deepEqual((await list('all', '?with_content=false')).data[0].payload, {});
    const page = await list('all', '?limit=1');
    assert.deepEqual([page.data[0].id, page.done], [second.id, false]);
    const next = await list('all', `?limit=1&iterator=${page.iterator}`);
    assert.deepEqual([next.data[0].id, next.done], [first.id, true]);
  });

  test('endpoint stats count deliveries by status', async () => {
    await fanOutApp('stats');
    for (let i = 0; i < 3; i++) await c.publish('stats', { eventType: 'order.created' });
    await c.publish('stats', { eventType: 'order.paid' });
    const stats = (ep: string) => c.ok({ url: `/api/v1/app/stats/endpoint/${ep}/stats` });
    assert.deepEqual(await stats('all'), {
      success: 0,
      pending: 4,
      fail: 0,
      sending: 0,
      canceled: 0,
    });
    assert.equal((await stats('created')).pending, 3);
    assert.equal((await stats('paid')).pending, 1);
    assert.equal((await stats('off')).pending, 0);
    const future = new Date(t.clock.now() + 86_400_000).toISOString();
    assert.equal(
      (await c.ok({ url: `/api/v1/app/stats/endpoint/all/stats?since=${future}` })).pending,
      0,
    );
  });

  test('deliverAt in the future sets nextAttempt to it', async () => {
    await c.createApp({ name: 'later', uid: 'later' });
    await c.createEndpoint('later', { uid: 'ep' });
    const when = new Date(t.clock.now() + 2 * 3_600_000).toISOString();
    const msg = await c.publish('later', { eventType: 'order.created', deliverAt: when });
    const [delivery] = await destinations('later', msg.id);
    assert.equal(delivery.status, 1);
    assert.equal(delivery.nextAttempt, when);
    const viaEndpoint = await c.ok({ url: '/api/v1/app/later/endpoint/ep/msg' });
    assert.equal(viaEndpoint.data[0].nextAttempt, when);
  });

  test('disabling pauses pending deliveries; re-enabling does not lose them', async () => {
    await c.createApp({ name: 'pause', uid: 'pause' });
    await c.createEndpoint('pause', { uid: 'ep' });
    const msg = await c.publish('pause', { eventType: 'order.created' });
    await c.ok({ method: 'PATCH', url: '/api/v1/app/pause/endpoint/ep', body: { disabled: true } });
    const none = await c.publish('pause', { eventType: 'order.created' });
    assert.deepEqual(await destinations('pause', none.id), []);
    await c.ok({
      method: 'PATCH',
      url: '/api/v1/app/pause/endpoint/ep',
      body: { disabled: false },
    });
    const [resumed] = await destinations('pause', msg.id);
    assert.equal(resumed.status, 1);
    assert.notEqual(resumed.nextAttempt, null);
    const after = await c.publish('pause', { eventType: 'order.created' });
    assert.equal((await destinations('pause', after.id)).length, 1);
  });
});

describe('send-example', () => {
  test('svix.ping sends {"success": true} to that endpoint only', async () => {
    await fanOutApp('example');
    const url = '/api/v1/app/example/endpoint/paid/send-example';
    const msg = await c.ok({ method: 'POST', url, body: { eventType: 'svix.ping' } }, 202);
    assert.equal(msg.eventType, 'svix.ping');
    assert.deepEqual(msg.payload, { success: true });
    const dests = await destinations('example', msg.id);
    const paid = await c.ok({ url: '/api/v1/app/example/endpoint/paid' });
    assert.deepEqual(
      dests.map((d) => [d.id, d.status]),
      [[paid.id, 1]],
      'the example goes to the endpoint asked, whatever its filter',
    );
  });

  test("an event type's schema example is sent; no example is a 4xx", async () => {
    await c.createApp({ name: 'ex2', uid: 'ex2' });
    await c.createEndpoint('ex2', { uid: 'ep' });
    const url = '/api/v1/app/ex2/endpoint/ep/send-example';
    const msg = await c.ok({ method: 'POST', url, body: { eventType: 'with.example' } }, 202);
    assert.deepEqual(msg.payload, { orderId: 'ord_example', total: 10 });
    assert.equal((await destinations('ex2', msg.id)).length, 1);

    const before = (await c.ok({ url: '/api/v1/app/ex2/msg' })).data.length;
    const none = await c.call({ method: 'POST', url, body: { eventType: 'no.example' } });
    assert.ok(none.status >= 400 && none.status < 500, `answered ${none.status}`);
    assert.match(none.body.detail, /example/);
    await c.expectError(
      { method: 'POST', url, body: { eventType: 'order.created' } },
      400,
      'generic_error',
    );
    await c.expectError(
      { method: 'POST', url, body: { eventType: 'never.defined' } },
      404,
      'not_found',
    );
    await c.expectValidation({ method: 'POST', url, body: {} }, ['body', 'eventType']);
    assert.equal((await c.ok({ url: '/api/v1/app/ex2/msg' })).data.length, before);
  });
});

describe('recover and resend', () => {
  test('recover answers 202 with a task that requeues failed deliveries', async () => {
    await c.createApp({ name: 'recover', uid: 'recover' });
    const ep = await c.createEndpoint('recover', { uid: 'ep' });
    const since = nowIso();
    const msg = await c.publish('recover', { eventType: 'order.created' });
    // The delivery failed for good (as the dispatcher leaves it after its last retry).
    await t.sql.run(
      'UPDATE deliveries SET status = 2, next_attempt_at = NULL WHERE endpoint_id = ?',
      [ep.id],
    );
    assert.equal((await destinations('recover', msg.id))[0].status, 2);
    t.clock.advance(1000);

    const r = await c.call({
      method: 'POST',
      url: '/api/v1/app/recover/endpoint/ep/recover',
      body: { since },
    });
    assert.equal(r.status, 202);
    assert.match(r.body.id, /^qtask_/);
    assert.equal(r.body.task, 'endpoint.recover');
    assert.ok(['running', 'finished'].includes(r.body.status));
    assert.equal(typeof r.body.updatedAt, 'string');

    await t.backgroundTasks.idle();
    const task = await c.ok({ url: `/api/v1/background-task/${r.body.id}` });
    assert.deepEqual(
      [task.id, task.task, task.status],
      [r.body.id, 'endpoint.recover', 'finished'],
    );
    assert.equal(task.data.requeued, 1);
    const listed = await c.ok({ url: '/api/v1/background-task' });
    assert.ok(listed.data.some((x: Json) => x.id === r.body.id));

    const [again] = await destinations('recover', msg.id);
    assert.equal(again.status, 1);
    assert.equal(again.nextAttempt, nowIso());

    await c.expectValidation(
      {
        method: 'POST',
        url: '/api/v1/app/recover/endpoint/ep/recover',
        body: { since: nowIso(), until: since },
      },
      ['body', 'since'],
    );
    await c.expectValidation(
      { method: 'POST', url: '/api/v1/app/recover/endpoint/ep/recover', body: {} },
      ['body', 'since'],
    );
  });

  test('resend answers 202 {} and queues a manual delivery, even to an endpoint that had none', async () => {
    const eps = await fanOutApp('resend');
    const msg = await c.publish('resend', { eventType: 'order.created', eventId: 'rs-1' });
    assert.ok(!(await destinations('resend', msg.id)).some((d) => d.id === eps.paid.id));
    t.clock.advance(5000);
    const r = await c.call({
      method: 'POST',
      url: `/api/v1/app/resend/msg/rs-1/endpoint/paid/resend`,
    });
    assert.equal(r.status, 202);
    assert.deepEqual(r.body, {});
    const toPaid = (await destinations('resend', msg.id)).find((d) => d.id === eps.paid.id);
    assert.ok(toPaid, 'the resend created a delivery');
    assert.deepEqual([toPaid.status, toPaid.nextAttempt], [1, nowIso()]);

    await c.createApp({ name: 'elsewhere', uid: 'elsewhere' });
    const foreign = await c.createEndpoint('elsewhere');
    await c.expectError(
      { method: 'POST', url: `/api/v1/app/resend/msg/${msg.id}/endpoint/${foreign.id}/resend` },
      404,
      'not_found',
    );
  });

  test('attempt listings answer empty pages before anything was sent', async () => {
    await c.createApp({ name: 'attempts', uid: 'attempts' });
    await c.createEndpoint('attempts', { uid: 'ep' });
    const msg = await c.publish('attempts', { eventType: 'order.created' });
    for (const url of [
      `/api/v1/app/attempts/attempt/msg/${msg.id}`,
      '/api/v1/app/attempts/attempt/endpoint/ep',
    ]) {
      assert.deepEqual(await c.ok({ url }), {
        data: [],
        iterator: null,
        prevIterator: null,
        done: true,
      });
    }
    await c.expectError(
      { url: `/api/v1/app/attempts/msg/${msg.id}/attempt/atmpt_nothing` },
      404,
      'not_found',
    );
  });
});
