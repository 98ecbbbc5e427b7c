// /api/v1/app/{app}/endpoint: create, id-or-uid, PUT upsert, PATCH, disable and re-enable,
// field aliases, filters, secrets and rotation, custom headers, delete and pagination.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { client, ids } from '../helpers/client.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
let c: ReturnType<typeof client>;

before(async () => {
  t = await createTestApp();
  c = client(t);
  await c.createApp({ name: 'Endpoints', uid: 'eps' });
  await c.createEventType('order.created');
  await c.createEventType('order.paid');
});

after(async () => {
  await t.close();
});

const base = '/api/v1/app/eps/endpoint';
const whsec = /^whsec_[A-Za-z0-9+/]{32,}={0,2}$/;
const suppliedSecret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const otherSecret = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;

describe('endpoints', () => {
  test('create answers 201; the endpoint reads back by id and by uid', async () => {
    const ep = await c.createEndpoint('eps', {
      url: 'https://a.example/hook',
      uid: 'ep-a',
      description: 'first',
      metadata: { k: 'v' },
    });
    assert.match(ep.id, /^ep_/);
    assert.deepEqual(
      [ep.url, ep.uid, ep.description, ep.disabled, ep.version],
      ['https://a.example/hook', 'ep-a', 'first', false, 1],
    );
    assert.deepEqual(ep.metadata, { k: 'v' });
    assert.equal(ep.filterTypes, null);
    assert.equal(ep.channels, null);
    assert.deepEqual(await c.ok({ url: `${base}/${ep.id}` }), ep);
    assert.deepEqual(await c.ok({ url: `${base}/ep-a` }), ep);
    const app = await c.ok({ url: '/api/v1/app/eps' });
    assert.deepEqual(await c.ok({ url: `/api/v1/app/${app.id}/endpoint/ep-a` }), ep);
  });

  test('PUT creates with the path as uid (201), then updates (200)', async () => {
    const put = await c.call({
      method: 'PUT',
      url: `${base}/ep-put`,
      body: { url: 'https://put.example' },
    });
    assert.equal(put.status, 201);
    assert.equal(put.body.uid, 'ep-put');
    assert.match((await c.ok({ url: `${base}/ep-put/secret` })).key, whsec);
    const again = await c.call({
      method: 'PUT',
      url: `${base}/ep-put`,
      body: { url: 'https://put2.example', description: 'updated' },
    });
    assert.equal(again.status, 200);
    assert.equal(again.body.id, put.body.id);
    assert.deepEqual([again.body.url, again.body.description], ['https://put2.example', 'updated']);
    assert.equal((await c.ok({ url: `${base}/${put.body.id}` })).url, 'https://put2.example');
    // An endpoint id that does not exist cannot be created by PUT.
    await c.expectError(
      {
        method: 'PUT',
        url: `${base}/ep_2ZZZZZZZZZZZZZZZZZZZZZZZZZ`,
        body: { url: 'https://x.example' },
      },
      404,
      'not_found',
    );
  });

  test('PATCH changes the given fields and keeps the others; disabled:false re-enables', async () => {
    const ep = await c.createEndpoint('eps', {
      uid: 'ep-patch',
      description: 'keep me',
      filterTypes: ['order.created'],
      channels: ['eu'],
      rateLimit: 5,
      metadata: { a: '1' },
    });
    const patched = await c.ok({
      method: 'PATCH',
      url: `${base}/ep-patch`,
      body: { url: 'https://patched.example' },
    });
    assert.equal(patched.url, 'https://patched.example');
    assert.deepEqual(
      [patched.uid, patched.description, patched.filterTypes, patched.channels, patched.rateLimit],
      ['ep-patch', 'keep me', ['order.created'], ['eu'], 5],
    );
    assert.deepEqual(patched.metadata, { a: '1' });
    assert.equal(patched.createdAt, ep.createdAt);

    const disabled = await c.ok({
      method: 'PATCH',
      url: `${base}/${ep.id}`,
      body: { disabled: true },
    });
    assert.equal(disabled.disabled, true);
    assert.equal((await c.ok({ url: `${base}/${ep.id}` })).disabled, true);
    const enabled = await c.ok({
      method: 'PATCH',
      url: `${base}/${ep.id}`,
      body: { disabled: false },
    });
    assert.equal(enabled.disabled, false);
    assert.equal(enabled.description, 'keep me');
    assert.equal((await c.ok({ url: `${base}/${ep.id}` })).disabled, false);

    const cleared = await c.ok({
      method: 'PATCH',
      url: `${base}/${ep.id}`,
      body: { filterTypes: null, channels: null },
    });
    assert.deepEqual(
      [cleared.filterTypes, cleared.eventTypes, cleared.channels],
      [null, null, null],
    );
  });

  test('filterTypes/eventTypes and rateLimit/throttleRate are accepted and returned under both names', async () => {
    const v2 = await c.createEndpoint('eps', { filterTypes: ['order.paid'], throttleRate: 3 });
    assert.deepEqual(
      [v2.filterTypes, v2.eventTypes, v2.rateLimit, v2.throttleRate],
      [['order.paid'], ['order.paid'], 3, 3],
    );
    const v1 = await c.createEndpoint('eps', { eventTypes: ['order.created'], rateLimit: 4 });
    assert.deepEqual(
      [v1.filterTypes, v1.eventTypes, v1.rateLimit, v1.throttleRate],
      [['order.created'], ['order.created'], 4, 4],
    );
    const patched = await c.ok({
      method: 'PATCH',
      url: `${base}/${v1.id}`,
      body: { filterTypes: ['order.paid', 'order.created'], throttleRate: 8 },
    });
    assert.deepEqual([patched.eventTypes, patched.rateLimit], [['order.paid', 'order.created'], 8]);
    const listed = (await c.ok({ url: `${base}?limit=250` })).data.find(
      (e: { id: string }) => e.id === v1.id,
    );
    assert.deepEqual(
      [listed.filterTypes, listed.eventTypes, listed.throttleRate, listed.rateLimit],
      [['order.paid', 'order.created'], ['order.paid', 'order.created'], 8, 8],
    );
  });

  test('an unknown event type in a filter is a 422 naming the field and position', async () => {
    const before = (await c.ok({ url: `${base}?limit=250` })).data.length;
    await c.expectValidation(
      {
        method: 'POST',
        url: base,
        body: { url: 'https://x.example', filterTypes: ['order.created', 'no.such'] },
      },
      ['body', 'filterTypes', 1],
    );
    await c.expectValidation(
      { method: 'POST', url: base, body: { url: 'https://x.example', eventTypes: ['no.such'] } },
      ['body', 'eventTypes', 0],
    );
    assert.equal((await c.ok({ url: `${base}?limit=250` })).data.length, before);
    const ep = await c.createEndpoint('eps', { filterTypes: ['order.created'] });
    await c.expectValidation(
      { method: 'PATCH', url: `${base}/${ep.id}`, body: { filterTypes: ['typo.type'] } },
      ['body', 'filterTypes', 0],
    );
    assert.deepEqual((await c.ok({ url: `${base}/${ep.id}` })).filterTypes, ['order.created']);
  });

  test('DELETE answers 204 and the endpoint is gone', async () => {
    const ep = await c.createEndpoint('eps', { uid: 'ep-del' });
    assert.equal((await c.call({ method: 'DELETE', url: `${base}/ep-del` })).status, 204);
    await c.expectError({ url: `${base}/${ep.id}` }, 404, 'not_found');
    await c.expectError({ method: 'DELETE', url: `${base}/ep-del` }, 404, 'not_found');
  });
});

describe('endpoint secrets', () => {
  test('a whsec_ secret is generated when none is given; a supplied one is kept', async () => {
    const generated = await c.createEndpoint('eps');
    const key = (await c.ok({ url: `${base}/${generated.id}/secret` })).key;
    assert.match(key, whsec);
    const raw = Buffer.from(key.slice('whsec_'.length), 'base64');
    assert.ok(raw.length >= 24 && raw.length <= 64, 'base64 of 24-64 bytes');
    const another = await c.createEndpoint('eps');
    assert.notEqual((await c.ok({ url: `${base}/${another.id}/secret` })).key, key);

    const supplied = await c.createEndpoint('eps', { secret: suppliedSecret });
    assert.equal((await c.ok({ url: `${base}/${supplied.id}/secret` })).key, suppliedSecret);
    await c.expectValidation(
      { method: 'POST', url: base, body: { url: 'https://x.example', secret: 'not-a-whsec-key' } },
      ['body', 'secret'],
    );
  });

  test('rotation answers 204 with a new key, or the key supplied', async () => {
    const ep = await c.createEndpoint('eps', { secret: suppliedSecret });
    const rotate = `${base}/${ep.id}/secret/rotate`;
    const r = await c.call({ method: 'POST', url: rotate, body: {} });
    assert.equal(r.status, 204);
    const fresh = (await c.ok({ url: `${base}/${ep.id}/secret` })).key;
    assert.match(fresh, whsec);
    assert.notEqual(fresh, suppliedSecret);

    assert.equal(
      (await c.call({ method: 'POST', url: rotate, body: { key: otherSecret } })).status,
      204,
    );
    assert.equal((await c.ok({ url: `${base}/${ep.id}/secret` })).key, otherSecret);
    // The previous keys keep signing during the grace period.
    const stored = await t.store.endpoints.findById(ep.id);
    assert.deepEqual(
      stored?.secrets.map((s) => s.key),
      [otherSecret, fresh, suppliedSecret],
    );

    await c.expectValidation({ method: 'POST', url: rotate, body: { key: 'short' } }, [
      'body',
      'key',
    ]);
    await c.expectValidation({ method: 'POST', url: rotate, body: { key: 'not-a-valid-key' } }, [
      'body',
      'key',
    ]);
    await c.expectValidation(
      { method: 'POST', url: rotate, body: { gracePeriodSeconds: 604_801 } },
      ['body', 'gracePeriodSeconds'],
    );
    assert.equal((await c.ok({ url: `${base}/${ep.id}/secret` })).key, otherSecret);
  });

  test('rotation without a body, or with an empty JSON one, rotates as {} does', async () => {
    const ep = await c.createEndpoint('eps', { secret: suppliedSecret });
    const rotate = `${base}/${ep.id}/secret/rotate`;
    const keys = [suppliedSecret];
    // `raw: undefined` sends no body and no content type; `raw: ''` an empty application/json body.
    for (const raw of [undefined, '']) {
      assert.equal((await c.call({ method: 'POST', url: rotate, raw })).status, 204);
      const fresh = (await c.ok({ url: `${base}/${ep.id}/secret` })).key;
      assert.match(fresh, whsec);
      assert.ok(!keys.includes(fresh), 'a new key');
      keys.unshift(fresh);
    }
    // The previous keys keep signing during the default grace period.
    const stored = await t.store.endpoints.findById(ep.id);
    assert.deepEqual(
      stored?.secrets.map((s) => s.key),
      keys,
    );
  });
});

describe('endpoint headers', () => {
  test('PUT replaces headers; sensitive values are hidden on read and listed by name', async () => {
    const ep = await c.createEndpoint('eps');
    const url = `${base}/${ep.id}/headers`;
    assert.deepEqual(await c.ok({ url }), { headers: {}, sensitive: [] });
    const put = await c.call({
      method: 'PUT',
      url,
      body: {
        headers: { 'X-Custom': 'visible', Authorization: 'Bearer s3cret', 'X-Api-Key': 'k' },
      },
    });
    assert.equal(put.status, 204);
    const read = await c.ok({ url });
    assert.deepEqual(read.headers, { 'X-Custom': 'visible' });
    assert.deepEqual([...read.sensitive].sort(), ['Authorization', 'X-Api-Key']);
    assert.ok(!JSON.stringify(read).includes('s3cret'), 'the secret value never reads back');
    // The hidden values are still kept for delivery.
    const stored = await t.store.endpoints.findById(ep.id);
    assert.equal(stored?.headers.Authorization, 'Bearer s3cret');

    await c.call({ method: 'PUT', url, body: { headers: { 'X-Only': '1' } } });
    assert.deepEqual(await c.ok({ url }), { headers: { 'X-Only': '1' }, sensitive: [] });
  });

  test('PATCH adds, changes and removes headers and keeps the rest', async () => {
    const ep = await c.createEndpoint('eps', {
      headers: { 'X-Keep': 'k', 'X-Drop': 'd', 'X-Change': 'old' },
    });
    const url = `${base}/${ep.id}/headers`;
    assert.deepEqual((await c.ok({ url })).headers, {
      'X-Keep': 'k',
      'X-Drop': 'd',
      'X-Change': 'old',
    });
    const r = await c.call({
      method: 'PATCH',
      url,
      body: { headers: { 'X-Change': 'new', 'X-Drop': null, 'X-Token': 'tok' } },
    });
    assert.equal(r.status, 204);
    assert.deepEqual(await c.ok({ url }), {
      headers: { 'X-Keep': 'k', 'X-Change': 'new' },
      sensitive: ['X-Token'],
    });
  });

  test('reserved headers are refused with a 422 and change nothing', async () => {
    const ep = await c.createEndpoint('eps', { headers: { 'X-Before': '1' } });
    const url = `${base}/${ep.id}/headers`;
    await c.expectValidation(
      { method: 'PUT', url, body: { headers: { 'webhook-signature': 'v1,forged' } } },
      ['body', 'headers', 'webhook-signature'],
    );
    await c.expectValidation(
      { method: 'PATCH', url, body: { headers: { 'Webhook-Id': 'msg_forged' } } },
      ['body', 'headers', 'Webhook-Id'],
    );
    await c.expectValidation(
      { method: 'PUT', url, body: { headers: { 'Content-Type': 'text/plain' } } },
      ['body', 'headers', 'Content-Type'],
    );
    await c.expectValidation(
      {
        method: 'POST',
        url: base,
        body: { url: 'https://x.example', headers: { 'svix-signature': 'x' } },
      },
      ['body', 'headers', 'svix-signature'],
    );
    assert.deepEqual((await c.ok({ url })).headers, { 'X-Before': '1' });
  });
});

describe('endpoint pagination', () => {
  test('newest first by default; iterators forwards and backwards; order=ascending', async () => {
    await c.createApp({ name: 'Pages', uid: 'ep-pages' });
    const created: string[] = [];
    for (let i = 0; i < 5; i++) created.push((await c.createEndpoint('ep-pages')).id);
    const newest = [...created].reverse();
    const url = '/api/v1/app/ep-pages/endpoint';
    const p1 = await c.ok({ url: `${url}?limit=2` });
    assert.deepEqual(ids(p1), newest.slice(0, 2));
    assert.equal(p1.done, false);
    const p2 = await c.ok({ url: `${url}?limit=2&iterator=${p1.iterator}` });
    assert.deepEqual(ids(p2), newest.slice(2, 4));
    assert.equal(p2.done, false);
    const p3 = await c.ok({ url: `${url}?limit=2&iterator=${p2.iterator}` });
    assert.deepEqual(ids(p3), newest.slice(4));
    assert.equal(p3.done, true);
    const back = await c.ok({
      url: `${url}?limit=2&iterator=${encodeURIComponent(p3.prevIterator)}`,
    });
    assert.deepEqual(ids(back), newest.slice(2, 4));
    const asc = await c.ok({ url: `${url}?limit=3&order=ascending` });
    assert.deepEqual(ids(asc), created.slice(0, 3));
    assert.equal(asc.done, false);
    const asc2 = await c.ok({ url: `${url}?limit=3&order=ascending&iterator=${asc.iterator}` });
    assert.deepEqual(ids(asc2), created.slice(3));
    assert.equal(asc2.done, true);
  });
});
