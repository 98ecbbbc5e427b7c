// What the API takes in, it uses or refuses: deep nesting, NUL characters, bad iterators,
// application uids shaped like ids, reused idempotency keys, and applications named inline
// in a message or a portal-access request. Both stores answer the same.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { type AddressInfo, connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { client } from '../helpers/client.ts';
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

const nested = (depth: number, inner = '1') => `${'['.repeat(depth)}${inner}${']'.repeat(depth)}`;

describe('deep nesting', () => {
  test('JSON nested beyond the limit is a 400 json_too_deep on every JSON route', async () => {
    await c.createApp({ name: 'deep', uid: 'deep' });
    await c.createEventType('deep.one');
    const deep = nested(4400);
    for (const [url, raw] of [
      ['/api/v1/app/deep/msg', `{"eventType":"deep.one","payload":{"a":${deep}}}`],
      ['/api/v1/event-type', `{"name":"deep.two","description":"x","schemas":{"1":${deep}}}`],
      [
        '/api/v1/app/deep/endpoint',
        `{"url":"https://x.example","policy":{"envelope":{"a":${deep}}}}`,
      ],
      ['/v1/events', `{"type":"deep.one","data":{"object":${deep}}}`],
      ['/api/v1/app', `{"name":"x","metadata":${nested(200, '{}')}}`],
    ] as const) {
      await c.expectError({ method: 'POST', url, raw }, 400, 'json_too_deep');
    }
  });

  test('nesting up to the documented depth (128) is accepted', async () => {
    await c.createApp({ name: 'shallow', uid: 'shallow' });
    // The body object and the payload object are two levels; the array fills the rest.
    const raw = `{"eventType":"deep.one","payload":{"a":${nested(126)}}}`;
    const msg = await c.ok({ method: 'POST', url: '/api/v1/app/shallow/msg', raw }, 202);
    assert.equal(JSON.stringify(msg.payload), `{"a":${nested(126)}}`);
    await c.expectError(
      {
        method: 'POST',
        url: '/api/v1/app/shallow/msg',
        raw: `{"eventType":"deep.one","payload":{"a":${nested(127)}}}`,
      },
      400,
      'json_too_deep',
    );
  });
});

describe('uids shaped like ids', () => {
  test('a uid shaped like an application id is refused', async () => {
    const other = await c.createApp({ name: 'other' });
    for (const call of [
      { method: 'POST' as const, url: '/api/v1/app', body: { name: 'x', uid: other.id } },
      { method: 'PUT' as const, url: '/api/v1/app/renamed', body: { name: 'x', uid: other.id } },
      { method: 'PATCH' as const, url: `/api/v1/app/${other.id}`, body: { uid: other.id } },
    ]) {
      await c.expectValidation(call, ['body', 'uid']);
    }
    // Other uids that start with `app_` stay fine.
    const fine = await c.createApp({ name: 'fine', uid: 'app_customer-1' });
    assert.equal((await c.ok({ url: '/api/v1/app/app_customer-1' })).id, fine.id);
  });

  test('an endpoint uid shaped like an endpoint id is refused', async () => {
    const app = await c.createApp({ name: 'ep-uids' });
    const other = await c.createEndpoint(app.id, { url: 'https://example.com/a' });
    const base = `/api/v1/app/${app.id}/endpoint`;
    for (const call of [
      { method: 'POST' as const, url: base, body: { url: 'https://example.com/b', uid: other.id } },
      {
        method: 'PUT' as const,
        url: `${base}/ep-new`,
        body: { url: 'https://example.com/c', uid: other.id },
      },
      { method: 'PATCH' as const, url: `${base}/${other.id}`, body: { uid: other.id } },
    ]) {
      await c.expectValidation(call, ['body', 'uid']);
    }
    // Nothing was created, and the endpoint kept its uid.
    const list = await c.ok({ url: base });
    assert.deepEqual(
      list.data.map((e: { id: string }) => e.id),
      [other.id],
    );
    assert.equal(list.data[0].uid, null);
    // Other uids that start with `ep_` stay fine.
    const fine = await c.createEndpoint(app.id, {
      url: 'https://example.com/d',
      uid: 'ep_customer-1',
    });
    assert.equal((await c.ok({ url: `${base}/ep_customer-1` })).id, fine.id);
  });
});

describe('idempotency keys', () => {
  test('a reused key with a different body is a 409; the same body is replayed', async () => {
    const headers = { 'idempotency-key': 'key-reuse-1' };
    const first = await c.ok({ method: 'POST', url: '/api/v1/app', headers, body: { name: 'a' } });
    const again = await c.call({
      method: 'POST',
      url: '/api/v1/app',
      headers,
      body: { name: 'a' },
    });
    assert.equal(again.status, 201);
    assert.equal(again.body.id, first.id);
    assert.equal(again.headers['idempotent-replayed'], 'true');
    await c.expectError(
      { method: 'POST', url: '/api/v1/app', headers, body: { name: 'b' } },
      409,
      'idempotency_conflict',
    );
    const names = (await c.ok({ url: '/api/v1/app?limit=250' })).data.map(
      (a: { name: string }) => a.name,
    );
    assert.ok(!names.includes('b'), 'the second request did not run');
  });
});

describe('inline applications', () => {
  test('publishing to an unknown app with `application` creates it', async () => {
    await c.createEventType('inline.one');
    const msg = await c.ok(
      {
        method: 'POST',
        url: '/api/v1/app/inline-new/msg',
        body: {
          eventType: 'inline.one',
          payload: { a: 1 },
          application: { name: 'Inline', uid: 'inline-new', metadata: { k: 'v' } },
        },
      },
      202,
    );
    assert.match(msg.id, /^msg_/);
    const app = await c.ok({ url: '/api/v1/app/inline-new' });
    assert.equal(app.name, 'Inline');
    assert.deepEqual(app.metadata, { k: 'v' });
    // An existing application is used as it is.
    await c.ok(
      {
        method: 'POST',
        url: '/api/v1/app/inline-new/msg',
        body: { eventType: 'inline.one', payload: {}, application: { name: 'Other' } },
      },
      202,
    );
    assert.equal((await c.ok({ url: '/api/v1/app/inline-new' })).name, 'Inline');
    const list = await c.ok({ url: '/api/v1/app/inline-new/msg' });
    assert.equal(list.data.length, 2);
  });

  test('without `application`, an unknown app is still a 404', async () => {
    await c.expectError(
      {
        method: 'POST',
        url: '/api/v1/app/inline-missing/msg',
        body: { eventType: 'inline.one', payload: {} },
      },
      404,
      'not_found',
    );
  });

  test('a uid in `application` that differs from the path is a 422', async () => {
    await c.expectValidation(
      {
        method: 'POST',
        url: '/api/v1/app/inline-path/msg',
        body: { eventType: 'inline.one', payload: {}, application: { name: 'x', uid: 'other' } },
      },
      ['body', 'application', 'uid'],
    );
  });

  test('portal access with `application` creates the app', async () => {
    const access = await c.ok(
      {
        method: 'POST',
        url: '/api/v1/auth/app-portal-access/inline-portal',
        body: { application: { name: 'Portal app' } },
      },
      200,
    );
    assert.ok(access.token);
    const app = await c.ok({ url: '/api/v1/app/inline-portal' });
    assert.equal(app.name, 'Portal app');
    assert.equal(app.uid, 'inline-portal');
  });
});

describe('same answer on both stores', () => {
  test('a NUL character in a name, description or iterator is a 422', async () => {
    await c.expectValidation({ method: 'POST', url: '/api/v1/app', body: { name: 'a\u0000b' } }, [
      'body',
      'name',
    ]);
    await c.expectValidation(
      {
        method: 'POST',
        url: '/api/v1/event-type',
        body: { name: 'nul.one', description: 'x\u0000' },
      },
      ['body', 'description'],
    );
    await c.expectValidation({ url: '/api/v1/app?iterator=%00' }, ['query', 'iterator']);
    // A payload may carry one: it is stored as JSON text.
    await c.createApp({ name: 'nul', uid: 'nul' });
    await c.createEventType('nul.two');
    const msg = await c.ok(
      {
        method: 'POST',
        url: '/api/v1/app/nul/msg',
        body: { eventType: 'nul.two', payload: { s: 'a\u0000b' } },
      },
      202,
    );
    assert.equal(msg.payload.s, 'a\u0000b');
  });

  test('an iterator that names nothing Herald makes is a 422', async () => {
    for (const url of [
      '/api/v1/app?iterator=a%20b',
      '/api/v1/event-type?iterator=%27%3B',
      '/api/v1/app/nul/msg?iterator=x%2Fy',
    ]) {
      await c.expectValidation({ url }, ['query', 'iterator']);
    }
  });
});

describe('errors before routing', () => {
  test('a text/plain body is a 415 in the error shape', async () => {
    await c.expectError(
      {
        method: 'POST',
        url: '/api/v1/app',
        headers: { 'content-type': 'text/plain' },
        body: 'name=x',
      },
      415,
      'unsupported_media_type',
    );
  });

  test('headers too large (431) and a malformed request (400) answer {code, detail}', async () => {
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.app.server.address() as AddressInfo;
    const send = async (request: string) => {
      const socket = connect(port, '127.0.0.1');
      socket.write(request);
      const chunks: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      await once(socket, 'close');
      const text = Buffer.concat(chunks).toString();
      const [head = '', body = ''] = text.split('\r\n\r\n');
      return { status: Number(head.split(' ')[1]), head, body: JSON.parse(body) };
    };
    const big = await send(
      `GET /api/v1/app HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    );
    assert.equal(big.status, 431);
    assert.match(big.head, /content-type: application\/json/i);
    assert.equal(big.body.code, 'headers_too_large');
    const bad = await send('NOT AN HTTP REQUEST\r\n\r\n');
    assert.equal(bad.status, 400);
    assert.equal(bad.body.code, 'generic_error');
    assert.ok(bad.body.detail.length > 0);
  });
});
