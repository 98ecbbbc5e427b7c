// What the producer gives is what the receiver gets: raw payloads byte for byte with their
// content type and a signature over those bytes, URL credentials as Basic auth (masked
// everywhere they are shown), and custom header names in the case they were given.
import assert from 'node:assert/strict';
import { after, afterEach, before, mock, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { type Api, client } from '../helpers/client.ts';
import { type Receiver, startReceiver } from '../helpers/receiver.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
let receiver: Receiver;
let api: Api;

before(async () => {
  t = await createTestApp();
  receiver = await startReceiver();
  api = client(t).api;
});

// A test that fails midway must not leave its answers or requests to the next.
afterEach(() => receiver.reset());

after(async () => {
  await t.close();
  await receiver.close();
});

/**
 * Checks the signature with the standardwebhooks package: its `verify` also parses the body as
 * JSON, so for other bodies the expected signature is computed with its `sign` and looked for.
 */
function verify(secret: string, request: { body: string; headers: Record<string, unknown> }) {
  const headers = request.headers as Record<string, string>;
  const hook = new Webhook(secret.slice('whsec_'.length));
  const expected = hook.sign(
    headers['webhook-id'] ?? '',
    new Date(Number(headers['webhook-timestamp']) * 1000),
    request.body,
  );
  assert.ok(
    (headers['webhook-signature'] ?? '').split(' ').includes(expected),
    'a signature over the bytes sent',
  );
  mock.timers.enable({ apis: ['Date'], now: t.clock.now() });
  try {
    hook.verify(request.body, headers);
  } catch (error) {
    // Verified, then not JSON: what a non-JSON raw payload makes the library say.
    if (!(error instanceof SyntaxError)) throw error;
  } finally {
    mock.timers.reset();
  }
}

test('a raw payload arrives byte for byte, with its content type, signed as sent', async () => {
  const app = await api<{ id: string }>('POST', '/app', { name: 'Raw' });
  const endpoint = await api<{ id: string }>('POST', `/app/${app.id}/endpoint`, {
    url: receiver.url,
  });
  const { key } = await api<{ key: string }>(
    'GET',
    `/app/${app.id}/endpoint/${endpoint.id}/secret`,
  );
  const cases = [
    { raw: '<invoice id="7">ünï ✓</invoice>', contentType: 'application/xml' },
    { raw: '{ "spaced" :  1,\n  "kept": "as is" }', contentType: undefined },
    { raw: 'a=1&b=two', contentType: 'application/x-www-form-urlencoded' },
  ];
  const ids: string[] = [];
  for (const { raw, contentType } of cases) {
    const msg = await api<{ id: string; payload: unknown }>(
      'POST',
      `/app/${app.id}/msg`,
      {
        eventType: 'raw.event',
        payload: {},
        transformationsParams: {
          rawPayload: raw,
          ...(contentType ? { headers: { 'Content-Type': contentType } } : {}),
        },
      },
      202,
    );
    ids.push(msg.id);
  }
  await t.dispatcher.runDue();
  for (const [i, { raw, contentType }] of cases.entries()) {
    const got = receiver.requests.find((r) => r.headers['webhook-id'] === ids[i]);
    assert.ok(got, `message ${i} arrived`);
    assert.equal(got.body, raw);
    assert.equal(got.headers['content-type'], contentType ?? 'application/json');
    verify(key, got);
  }
  // Reading the message back shows the JSON it holds, or {} for other text.
  const json = await api<{ payload: unknown }>('GET', `/app/${app.id}/msg/${ids[1]}`);
  assert.deepEqual(json.payload, { spaced: 1, kept: 'as is' });
  const xml = await api<{ payload: unknown }>('GET', `/app/${app.id}/msg/${ids[0]}`);
  assert.deepEqual(xml.payload, {});
});

test('URL credentials are sent as Basic auth and masked in every answer', async () => {
  const app = await api<{ id: string }>('POST', '/app', { name: 'Basic' });
  const withCredentials = receiver.url.replace('http://', 'http://hook%20user:s3cr%40t@');
  const endpoint = await api<{ id: string; url: string }>('POST', `/app/${app.id}/endpoint`, {
    url: withCredentials,
  });
  const masked = receiver.url.replace('http://', 'http://hook%20user:***@');
  assert.equal(endpoint.url, masked);
  const read = await api<{ url: string }>('GET', `/app/${app.id}/endpoint/${endpoint.id}`);
  assert.equal(read.url, masked);
  // Writing back what was read keeps the password.
  await api('PUT', `/app/${app.id}/endpoint/${endpoint.id}`, { url: read.url });
  const msg = await api<{ id: string }>(
    'POST',
    `/app/${app.id}/msg`,
    { eventType: 'basic.event', payload: { a: 1 } },
    202,
  );
  await t.dispatcher.runDue();
  const got = receiver.requests.find((r) => r.headers['webhook-id'] === msg.id);
  assert.ok(got, 'the message arrived');
  assert.equal(
    got.headers.authorization,
    `Basic ${Buffer.from('hook user:s3cr@t').toString('base64')}`,
  );
  const attempts = await api<{ data: { id: string; url: string }[] }>(
    'GET',
    `/app/${app.id}/attempt/msg/${msg.id}`,
  );
  assert.equal(attempts.data[0]?.url, masked);
  // The attempt log keeps no password, not even in the database.
  const stored = await t.store.deliveries.findAttempt(msg.id, attempts.data[0]?.id ?? '');
  assert.equal(stored?.url, masked);
  const everything = JSON.stringify([
    await api('GET', `/app/${app.id}/endpoint`),
    await api('GET', `/app/${app.id}/attempt/endpoint/${endpoint.id}`),
  ]);
  assert.ok(!everything.includes('s3cr'), 'the password shows nowhere');
});

test('custom header names keep their case on the wire', async () => {
  const app = await api<{ id: string }>('POST', '/app', { name: 'Case' });
  await api('POST', `/app/${app.id}/endpoint`, {
    url: receiver.url,
    headers: { 'X-Tenant-ID': 'acme', 'x-lower': 'yes' },
  });
  const msg = await api<{ id: string }>(
    'POST',
    `/app/${app.id}/msg`,
    { eventType: 'case.event', payload: {} },
    202,
  );
  await t.dispatcher.runDue();
  const got = receiver.requests.find((r) => r.headers['webhook-id'] === msg.id);
  assert.ok(got, 'the message arrived');
  const names = got.rawHeaders.filter((_, i) => i % 2 === 0);
  assert.ok(names.includes('X-Tenant-ID'), `names on the wire: ${names.join(', ')}`);
  assert.ok(names.includes('x-lower'));
  assert.equal(names.filter((n) => n.toLowerCase() === 'user-agent').length, 1);
});
