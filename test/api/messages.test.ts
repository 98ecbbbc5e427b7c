// /api/v1/app/{app}/msg: publishing, reading by id or eventId, with_content, expunging
// content, filters and pagination (newest first).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { client, ids } from '../helpers/client.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
let c: ReturnType<typeof client>;

before(async () => {
  t = await createTestApp();
  c = client(t);
  await c.createApp({ name: 'Messages', uid: 'msgs' });
});

after(async () => {
  await t.close();
});

const base = '/api/v1/app/msgs/msg';

describe('messages', () => {
  test('publishing answers 202 with the message; it reads back by id and by eventId', async () => {
    const sent = await c.publish('msgs', {
      eventType: 'invoice.paid',
      eventId: 'inv-1001',
      payload: { amount: 1200, nested: { ok: true } },
      channels: ['eu'],
      tags: ['vip'],
    });
    assert.match(sent.id, /^msg_[0-9A-Z]{26}$/);
    assert.deepEqual(
      [sent.eventType, sent.eventId, sent.channels, sent.tags, sent.deliverAt],
      ['invoice.paid', 'inv-1001', ['eu'], ['vip'], null],
    );
    assert.deepEqual(sent.payload, { amount: 1200, nested: { ok: true } });
    assert.equal(sent.timestamp, new Date(t.clock.now()).toISOString());
    assert.deepEqual(await c.ok({ url: `${base}/${sent.id}` }), sent);
    assert.deepEqual(await c.ok({ url: `${base}/inv-1001` }), sent);
    const app = await c.ok({ url: '/api/v1/app/msgs' });
    assert.deepEqual(await c.ok({ url: `/api/v1/app/${app.id}/msg/inv-1001` }), sent);
    const noEventId = await c.publish('msgs', { eventType: 'x.y' });
    assert.equal(noEventId.eventId, null);
  });

  test('the publish answer reads back identically with quotes, escapes and non-ASCII text', async () => {
    const sent = await c.publish('msgs', {
      eventType: 'note.added',
      eventId: 'escapes-1',
      payload: { text: 'line\nbreak "quoted" \u2028 ünïcødé 😀', list: [1, null, { deep: 'x' }] },
      channels: ['eu'],
      deliverAt: new Date(t.clock.now() + 60_000).toISOString(),
    });
    assert.deepEqual(sent.payload, {
      text: 'line\nbreak "quoted" \u2028 ünïcødé 😀',
      list: [1, null, { deep: 'x' }],
    });
    assert.deepEqual(await c.ok({ url: `${base}/${sent.id}` }), sent);
  });

  test('with_content=false answers payload {} on create, get and list; the payload is kept', async () => {
    const created = await c.ok(
      {
        method: 'POST',
        url: `${base}?with_content=false`,
        body: { eventType: 'c.c', eventId: 'content-1', payload: { secret: 'data' } },
      },
      202,
    );
    assert.deepEqual(created.payload, {});
    assert.deepEqual((await c.ok({ url: `${base}/content-1?with_content=false` })).payload, {});
    const listed = await c.ok({ url: `${base}?with_content=false&limit=250` });
    assert.ok(listed.data.length > 0);
    for (const m of listed.data) assert.deepEqual(m.payload, {});
    assert.deepEqual((await c.ok({ url: `${base}/content-1` })).payload, { secret: 'data' });
  });

  test('DELETE .../content answers 204 and the payload reads as {} from then on', async () => {
    const m = await c.publish('msgs', { eventType: 'e.x', payload: { pii: 'jane@example.com' } });
    assert.equal((await c.call({ method: 'DELETE', url: `${base}/${m.id}/content` })).status, 204);
    const read = await c.ok({ url: `${base}/${m.id}` });
    assert.deepEqual(read.payload, {});
    assert.equal(read.eventType, 'e.x');
  });

  test('deliverAt in the future is kept on the message; in the past it is ignored', async () => {
    const when = new Date(t.clock.now() + 3_600_000).toISOString();
    const later = await c.publish('msgs', { eventType: 'later.x', deliverAt: when });
    assert.equal(later.deliverAt, when);
    const past = await c.publish('msgs', {
      eventType: 'later.x',
      deliverAt: new Date(t.clock.now() - 60_000).toISOString(),
    });
    assert.equal(past.deliverAt, null);
  });

  test('a payload that is not a JSON object is refused', async () => {
    for (const payload of [[1, 2], 'text', 5, null]) {
      await c.expectValidation({ method: 'POST', url: base, body: { eventType: 'a.b', payload } }, [
        'body',
        'payload',
      ]);
    }
  });
});

describe('message listing', () => {
  test('newest first; iterators forwards and backwards; order=ascending; filters', async () => {
    await c.createApp({ name: 'Pages', uid: 'msg-pages' });
    const url = '/api/v1/app/msg-pages/msg';
    const sent: string[] = [];
    for (let i = 0; i < 7; i++) {
      const body = {
        eventType: i % 2 ? 'odd.type' : 'even.type',
        payload: { i },
        channels: i < 3 ? ['early'] : ['late'],
      };
      sent.push((await c.publish('msg-pages', body)).id);
      t.clock.advance(1000);
    }
    const newest = [...sent].reverse();
    const all = await c.ok({ url });
    assert.deepEqual(ids(all), newest);
    assert.equal(all.done, true);

    const p1 = await c.ok({ url: `${url}?limit=3` });
    assert.deepEqual(ids(p1), newest.slice(0, 3));
    assert.equal(p1.done, false);
    const p2 = await c.ok({ url: `${url}?limit=3&iterator=${p1.iterator}` });
    assert.deepEqual(ids(p2), newest.slice(3, 6));
    assert.equal(p2.done, false);
    const p3 = await c.ok({ url: `${url}?limit=3&iterator=${p2.iterator}` });
    assert.deepEqual(ids(p3), newest.slice(6));
    assert.equal(p3.done, true);
    const back = await c.ok({
      url: `${url}?limit=3&iterator=${encodeURIComponent(p3.prevIterator)}`,
    });
    assert.deepEqual(ids(back), newest.slice(3, 6));
    const back2 = await c.ok({
      url: `${url}?limit=3&iterator=${encodeURIComponent(back.prevIterator)}`,
    });
    assert.deepEqual(ids(back2), newest.slice(0, 3));

    const asc = await c.ok({ url: `${url}?limit=4&order=ascending` });
    assert.deepEqual(ids(asc), sent.slice(0, 4));
    assert.equal(asc.done, false);
    const asc2 = await c.ok({ url: `${url}?limit=4&order=ascending&iterator=${asc.iterator}` });
    assert.deepEqual(ids(asc2), sent.slice(4));
    assert.equal(asc2.done, true);

    const odd = await c.ok({ url: `${url}?event_types=odd.type` });
    assert.deepEqual(ids(odd), [sent[5], sent[3], sent[1]]);
    const early = await c.ok({ url: `${url}?channel=early` });
    assert.deepEqual(ids(early), [sent[2], sent[1], sent[0]]);
    const window = await c.ok({
      url: `${url}?after=${encodeURIComponent(all.data[5].timestamp)}&before=${encodeURIComponent(all.data[1].timestamp)}`,
    });
    assert.deepEqual(ids(window), newest.slice(2, 5));
  });
});
