// Every error path answers a coded JSON body in Svix's shape: bad JSON, validation (with the
// right `loc`), unknown ids and routes, list limits, conflicts and oversized payloads.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { client } from '../helpers/client.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
let c: ReturnType<typeof client>;

before(async () => {
  t = await createTestApp({ config: { maxPayloadBytes: 2048 } });
  c = client(t);
});

after(async () => {
  await t.close();
});

describe('malformed bodies', () => {
  test('a body that is not JSON is a 400 invalid_json on every kind of route', async () => {
    const app = await c.createApp({ name: 'json', uid: 'json' });
    const ep = await c.createEndpoint('json');
    for (const [method, url] of [
      ['POST', '/api/v1/app'],
      ['PUT', `/api/v1/app/${app.id}`],
      ['PATCH', `/api/v1/app/${app.id}`],
      ['POST', '/api/v1/event-type'],
      ['POST', `/api/v1/app/${app.id}/endpoint`],
      ['PATCH', `/api/v1/app/${app.id}/endpoint/${ep.id}`],
      ['POST', `/api/v1/app/${app.id}/msg`],
    ] as const) {
      await c.expectError({ method, url, raw: '{"name": ' }, 400, 'invalid_json');
      await c.expectError({ method, url, raw: "{'single': 'quotes'}" }, 400, 'invalid_json');
    }
    // Nothing was created by the rejected requests.
    const apps = await c.ok({ url: '/api/v1/app' });
    assert.deepEqual(
      apps.data.map((a: { uid: string }) => a.uid),
      ['json'],
    );
  });

  test('wrong field types are 422s that point at the field', async () => {
    await c.createApp({ name: 'types', uid: 'types' });
    await c.createEventType('types.one');
    const cases: [string, string, unknown, (string | number)[]][] = [
      ['POST', '/api/v1/app', { name: 5 }, ['body', 'name']],
      ['POST', '/api/v1/app', { name: 'x', uid: 'has spaces' }, ['body', 'uid']],
      ['POST', '/api/v1/app', { name: 'x', metadata: { a: 1 } }, ['body', 'metadata', 'a']],
      ['POST', '/api/v1/app', { name: 'x', rateLimit: 'fast' }, ['body', 'rateLimit']],
      ['PATCH', '/api/v1/app/types', { name: ['x'] }, ['body', 'name']],
      ['PUT', '/api/v1/app/types', { name: true }, ['body', 'name']],
      ['POST', '/api/v1/event-type', { name: 'a b', description: 'x' }, ['body', 'name']],
      ['POST', '/api/v1/event-type', { name: 'a.b', description: 3 }, ['body', 'description']],
      ['PATCH', '/api/v1/event-type/types.one', { archived: 'yes' }, ['body', 'archived']],
      ['POST', '/api/v1/app/types/endpoint', { url: 'not a url' }, ['body', 'url']],
      ['POST', '/api/v1/app/types/endpoint', { url: 'ftp://x.example' }, ['body', 'url']],
      [
        'POST',
        '/api/v1/app/types/endpoint',
        { url: 'https://x.example', disabled: 'no' },
        ['body', 'disabled'],
      ],
      [
        'POST',
        '/api/v1/app/types/endpoint',
        { url: 'https://x.example', channels: 'one' },
        ['body', 'channels'],
      ],
      [
        'POST',
        '/api/v1/app/types/endpoint',
        { url: 'https://x.example', filterTypes: [1] },
        ['body', 'filterTypes', 0],
      ],
      ['POST', '/api/v1/app/types/msg', { eventType: 7, payload: {} }, ['body', 'eventType']],
      ['POST', '/api/v1/app/types/msg', { eventType: 'a.b', payload: [1] }, ['body', 'payload']],
      ['POST', '/api/v1/app/types/msg', { eventType: 'a.b', payload: 'x' }, ['body', 'payload']],
      [
        'POST',
        '/api/v1/app/types/msg',
        { eventType: 'a.b', payload: {}, eventId: 'bad id!' },
        ['body', 'eventId'],
      ],
      [
        'POST',
        '/api/v1/app/types/msg',
        { eventType: 'a.b', payload: {}, deliverAt: 'tomorrow' },
        ['body', 'deliverAt'],
      ],
    ];
    for (const [method, url, body, loc] of cases) {
      await c.expectValidation({ method: method as 'POST', url, body }, loc);
    }
  });

  test('missing required fields are 422s naming the field', async () => {
    await c.createApp({ name: 'missing', uid: 'missing' });
    await c.expectValidation({ method: 'POST', url: '/api/v1/app', body: {} }, ['body', 'name']);
    await c.expectValidation({ method: 'PUT', url: '/api/v1/app/missing', body: {} }, [
      'body',
      'name',
    ]);
    await c.expectValidation({ method: 'POST', url: '/api/v1/event-type', body: { name: 'x.y' } }, [
      'body',
      'description',
    ]);
    await c.expectValidation({ method: 'POST', url: '/api/v1/app/missing/endpoint', body: {} }, [
      'body',
      'url',
    ]);
    await c.expectValidation(
      { method: 'POST', url: '/api/v1/app/missing/msg', body: { payload: {} } },
      ['body', 'eventType'],
    );
    const both = await c.expectValidation(
      { method: 'POST', url: '/api/v1/app/missing/msg', body: {} },
      ['body', 'payload'],
    );
    assert.ok(
      both.body.detail.some((d: { loc: string[] }) => d.loc.join('.') === 'body.eventType'),
      'every missing field is reported, not only the first',
    );
    assert.equal(both.body.detail[0].type, 'value_error.missing');
  });

  test('where a body is required, none is a 422 and an empty JSON one a 400', async () => {
    const app = await c.createApp({ name: 'bodyless', uid: 'bodyless' });
    for (const url of [
      '/api/v1/app',
      '/api/v1/event-type',
      `/api/v1/app/${app.id}/endpoint`,
      `/api/v1/app/${app.id}/msg`,
    ]) {
      await c.expectValidation({ method: 'POST', url }, ['body']);
      await c.expectError({ method: 'POST', url, raw: '' }, 400, 'invalid_json');
    }
  });

  test('limit above 250 or below 1 is a 422 on every list', async () => {
    await c.createApp({ name: 'limits', uid: 'limits' });
    const ep = await c.createEndpoint('limits');
    const msg = await c.publish('limits', { eventType: 'l.l' });
    for (const url of [
      '/api/v1/app',
      '/api/v1/event-type',
      '/api/v1/app/limits/endpoint',
      '/api/v1/app/limits/msg',
      `/api/v1/app/limits/endpoint/${ep.id}/msg`,
      `/api/v1/app/limits/msg/${msg.id}/endpoint`,
      `/api/v1/app/limits/attempt/endpoint/${ep.id}`,
      `/api/v1/app/limits/attempt/msg/${msg.id}`,
      '/api/v1/background-task',
    ]) {
      await c.expectValidation({ url: `${url}?limit=251` }, ['query', 'limit']);
      await c.expectValidation({ url: `${url}?limit=0` }, ['query', 'limit']);
      await c.expectValidation({ url: `${url}?limit=many` }, ['query', 'limit']);
      assert.equal((await c.call({ url: `${url}?limit=250` })).status, 200, url);
    }
    await c.expectValidation({ url: '/api/v1/app?order=sideways' }, ['query', 'order']);
  });
});

describe('unknown things', () => {
  test('unknown routes are 404 not_found with a JSON body, with or without a token', async () => {
    for (const url of ['/api/v1/nothing-here', '/nothing', '/api/v2/app', '/api/v1/app/x/y/z/w']) {
      const r = await c.expectError({ url }, 404, 'not_found');
      assert.match(r.body.detail, /no route/);
      await c.expectError({ url, token: null }, 404, 'not_found');
    }
    await c.expectError({ method: 'POST', url: '/api/v1/nope', body: {} }, 404, 'not_found');
    await c.expectError({ method: 'DELETE', url: '/api/v1/event-type' }, 404, 'not_found');
  });

  test('a malformed URL is a 400 in the Svix error shape', async () => {
    await c.expectError({ url: '/api/v1/app/%zz' }, 400, 'generic_error');
    await c.expectError({ url: '/api/v1/app/%zz', token: null }, 400, 'generic_error');
  });

  test('uids, eventIds and event type names of 256 characters work in paths', async () => {
    const long = (ch: string) => ch.repeat(256);
    const app = await c.createApp({ name: 'long', uid: long('a') });
    assert.equal((await c.ok({ url: `/api/v1/app/${long('a')}` })).id, app.id);
    const ep = await c.createEndpoint(long('a'), { uid: long('e') });
    assert.equal((await c.ok({ url: `/api/v1/app/${app.id}/endpoint/${long('e')}` })).id, ep.id);
    const msg = await c.publish(app.id, { eventType: 'l.l', eventId: long('m') });
    assert.equal((await c.ok({ url: `/api/v1/app/${app.id}/msg/${long('m')}` })).id, msg.id);
    await c.createEventType(long('t'));
    assert.equal((await c.ok({ url: `/api/v1/event-type/${long('t')}` })).name, long('t'));
    // One more character is a validation error, not a router error.
    await c.expectValidation({ url: `/api/v1/app/${'a'.repeat(257)}` }, ['path', 'app_id']);
  });

  test('unknown ids are 404 not_found for every resource', async () => {
    const app = await c.createApp({ name: 'ids', uid: 'ids' });
    const ep = await c.createEndpoint('ids');
    const msg = await c.publish('ids', { eventType: 'i.d' });
    for (const [method, url, body] of [
      ['GET', '/api/v1/app/app_2zzzzzzzzzzzzzzzzzzzzzzzzz'],
      ['GET', '/api/v1/app/no-such-uid'],
      ['PATCH', '/api/v1/app/no-such-uid', { name: 'x' }],
      ['DELETE', '/api/v1/app/no-such-uid'],
      ['GET', '/api/v1/app/no-such-uid/endpoint'],
      ['POST', '/api/v1/app/no-such-uid/msg', { eventType: 'a.b', payload: {} }],
      ['GET', `/api/v1/app/${app.id}/endpoint/ep_missing`],
      ['PATCH', `/api/v1/app/${app.id}/endpoint/ep_missing`, { description: 'x' }],
      ['DELETE', `/api/v1/app/${app.id}/endpoint/ep_missing`],
      ['GET', `/api/v1/app/${app.id}/endpoint/ep_missing/secret`],
      ['GET', `/api/v1/app/${app.id}/endpoint/ep_missing/headers`],
      ['GET', `/api/v1/app/${app.id}/msg/msg_missing`],
      ['GET', `/api/v1/app/${app.id}/msg/msg_missing/endpoint`],
      ['GET', `/api/v1/app/${app.id}/msg/${msg.id}/attempt/atmpt_missing`],
      ['POST', `/api/v1/app/${app.id}/msg/msg_missing/endpoint/${ep.id}/resend`],
      ['POST', `/api/v1/app/${app.id}/msg/${msg.id}/endpoint/ep_missing/resend`],
      ['GET', '/api/v1/event-type/no.such.type'],
      ['PATCH', '/api/v1/event-type/no.such.type', { description: 'x' }],
      ['DELETE', '/api/v1/event-type/no.such.type'],
      ['GET', '/api/v1/background-task/qtask_missing'],
    ] as [string, string, unknown?][]) {
      await c.expectError({ method: method as 'GET', url, body }, 404, 'not_found');
    }
    // An endpoint belongs to one application: another application's path does not find it.
    await c.createApp({ name: 'other', uid: 'other' });
    await c.expectError({ url: `/api/v1/app/other/endpoint/${ep.id}` }, 404, 'not_found');
    await c.expectError({ url: `/api/v1/app/other/msg/${msg.id}` }, 404, 'not_found');
  });
});

describe('conflicts', () => {
  test('a duplicate application uid is a 409, by POST and by PATCH', async () => {
    await c.createApp({ name: 'a', uid: 'dup-app' });
    const b = await c.createApp({ name: 'b', uid: 'dup-app-2' });
    await c.expectError(
      { method: 'POST', url: '/api/v1/app', body: { name: 'c', uid: 'dup-app' } },
      409,
      'conflict',
    );
    await c.expectError(
      { method: 'PATCH', url: `/api/v1/app/${b.id}`, body: { uid: 'dup-app' } },
      409,
      'conflict',
    );
    assert.equal((await c.ok({ url: `/api/v1/app/${b.id}` })).uid, 'dup-app-2');
    assert.equal((await c.ok({ url: '/api/v1/app/dup-app' })).name, 'a');
  });

  test('a duplicate endpoint uid in one application is a 409; another application may reuse it', async () => {
    await c.createApp({ name: 'e1', uid: 'dup-ep-app' });
    await c.createApp({ name: 'e2', uid: 'dup-ep-app-2' });
    await c.createEndpoint('dup-ep-app', { uid: 'ep-1' });
    await c.expectError(
      {
        method: 'POST',
        url: '/api/v1/app/dup-ep-app/endpoint',
        body: { url: 'https://b.example', uid: 'ep-1' },
      },
      409,
      'conflict',
    );
    const second = await c.createEndpoint('dup-ep-app', { uid: 'ep-2' });
    await c.expectError(
      {
        method: 'PATCH',
        url: `/api/v1/app/dup-ep-app/endpoint/${second.id}`,
        body: { uid: 'ep-1' },
      },
      409,
      'conflict',
    );
    await c.createEndpoint('dup-ep-app-2', { uid: 'ep-1' });
    const list = await c.ok({ url: '/api/v1/app/dup-ep-app/endpoint' });
    assert.equal(list.data.length, 2);
  });

  test('a duplicate event type name is a 409 and keeps the first', async () => {
    await c.createEventType('dup.type', { description: 'first' });
    await c.expectError(
      { method: 'POST', url: '/api/v1/event-type', body: { name: 'dup.type', description: 'y' } },
      409,
      'conflict',
    );
    assert.equal((await c.ok({ url: '/api/v1/event-type/dup.type' })).description, 'first');
  });

  test('a duplicate message eventId in one application is a 409 and stores nothing', async () => {
    await c.createApp({ name: 'm1', uid: 'dup-msg' });
    await c.createApp({ name: 'm2', uid: 'dup-msg-2' });
    await c.createEndpoint('dup-msg');
    const msg = { eventType: 'dup.type', eventId: 'evt-1', payload: { n: 1 } };
    await c.publish('dup-msg', msg);
    await c.expectError(
      { method: 'POST', url: '/api/v1/app/dup-msg/msg', body: { ...msg, payload: { n: 2 } } },
      409,
      'conflict',
    );
    const list = await c.ok({ url: '/api/v1/app/dup-msg/msg' });
    assert.equal(list.data.length, 1);
    assert.deepEqual(list.data[0].payload, { n: 1 });
    // The same eventId in another application is a different message.
    await c.publish('dup-msg-2', msg);
  });
});

describe('payload size', () => {
  test('a payload over maxPayloadBytes is a 413 payload_too_large and stores nothing', async () => {
    await c.createApp({ name: 'big', uid: 'big' });
    await c.createEndpoint('big');
    const r = await c.expectError(
      {
        method: 'POST',
        url: '/api/v1/app/big/msg',
        body: { eventType: 'a.b', payload: { blob: 'x'.repeat(3000) } },
      },
      413,
      'payload_too_large',
    );
    assert.match(r.body.detail, /2048/);
    assert.equal((await c.ok({ url: '/api/v1/app/big/msg' })).data.length, 0);
    // Exactly at the limit is accepted: `{"blob":"…"}` is 11 bytes of framing.
    await c.publish('big', { eventType: 'a.b', payload: { blob: 'x'.repeat(2048 - 11) } });
    await c.expectError(
      {
        method: 'POST',
        url: '/api/v1/app/big/msg',
        body: { eventType: 'a.b', payload: { blob: 'x'.repeat(2048 - 10) } },
      },
      413,
      'payload_too_large',
    );
  });

  test('a request body beyond the server body limit is a 413 with a JSON body', async () => {
    await c.createApp({ name: 'huge', uid: 'huge' });
    await c.expectError(
      {
        method: 'POST',
        url: '/api/v1/app/huge/msg',
        body: { eventType: 'a.b', payload: { blob: 'x'.repeat(200_000) } },
      },
      413,
      'payload_too_large',
    );
  });
});
