// Every published message arrives, signed so that real verifier libraries accept it.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, afterEach, before, mock, test } from 'node:test';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import { Webhook as Svix1Webhook } from 'svix1';
import { type Api, client } from '../helpers/client.ts';
import { setPolicy } from '../helpers/fixtures.ts';
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

// A test that fails midway must not leave its requests to the next.
afterEach(() => receiver.reset());

after(async () => {
  await t.close();
  await receiver.close();
});

/** Verifies as a receiver would, at the fake clock's time (verifiers allow ±5 minutes). */
function atFakeNow<T>(fn: () => T): T {
  mock.timers.enable({ apis: ['Date'], now: t.clock.now() });
  try {
    return fn();
  } finally {
    mock.timers.reset();
  }
}

function verifyAll(secret: string, request: { body: string; headers: Record<string, unknown> }) {
  const headers = request.headers as Record<string, string>;
  atFakeNow(() => {
    new StandardWebhook(secret.slice('whsec_'.length)).verify(request.body, headers);
    new SvixWebhook(secret).verify(request.body, headers);
    new Svix1Webhook(secret).verify(request.body, headers);
  });
}

/** Each verifier refuses the request because no signature matches, not for another reason. */
function refusedByAll(secret: string, request: { body: string; headers: Record<string, unknown> }) {
  const headers = request.headers as Record<string, string>;
  const refused = { name: 'WebhookVerificationError', message: 'No matching signature found' };
  atFakeNow(() => {
    assert.throws(
      () => new StandardWebhook(secret.slice('whsec_'.length)).verify(request.body, headers),
      refused,
    );
    assert.throws(() => new SvixWebhook(secret).verify(request.body, headers), refused);
    assert.throws(() => new Svix1Webhook(secret).verify(request.body, headers), refused);
  });
}

test('every published message arrives once, signed, with the exact payload', async () => {
  const app = await api<{ id: string }>('POST', '/app', { name: 'Acme' });
  const endpoint = await api<{ id: string }>('POST', `/app/${app.id}/endpoint`, {
    url: receiver.url,
  });
  const { key } = await api<{ key: string }>(
    'GET',
    `/app/${app.id}/endpoint/${endpoint.id}/secret`,
  );
  const wakeupsBefore = t.wakeups();
  const sent: string[] = [];
  for (let i = 0; i < 20; i++) {
    const msg = await api<{ id: string }>('POST', `/app/${app.id}/msg`, {
      eventType: 'invoice.paid',
      payload: { invoice: i, note: 'ünïcode ✓' },
    });
    sent.push(msg.id);
  }
  assert.equal(t.wakeups() - wakeupsBefore, 20, 'each publish wakes the dispatcher');
  await t.dispatcher.runDue();

  assert.equal(receiver.requests.length, 20);
  assert.deepEqual(new Set(receiver.requests.map((r) => r.headers['webhook-id'])), new Set(sent));
  for (const request of receiver.requests) {
    verifyAll(key, request);
    assert.equal(request.headers['content-type'], 'application/json');
    assert.equal(request.headers['user-agent'], 'Herald/test');
    const timestamp = Number(request.headers['webhook-timestamp']);
    assert.equal(timestamp, Math.floor(t.clock.now() / 1000));
    assert.equal((JSON.parse(request.body) as { note: string }).note, 'ünïcode ✓');
  }
  const attempts = await api<{ data: { status: number; responseStatusCode: number }[] }>(
    'GET',
    `/app/${app.id}/attempt/endpoint/${endpoint.id}?limit=100`,
  );
  assert.equal(attempts.data.length, 20);
  assert.ok(attempts.data.every((a) => a.status === 0 && a.responseStatusCode === 200));
});

test('a tampered body or a wrong secret does not verify', async () => {
  const app = await api<{ id: string }>('POST', '/app', { name: 'Tampered' });
  const endpoint = await api<{ id: string }>('POST', `/app/${app.id}/endpoint`, {
    url: receiver.url,
  });
  const { key } = await api<{ key: string }>(
    'GET',
    `/app/${app.id}/endpoint/${endpoint.id}/secret`,
  );
  await api('POST', `/app/${app.id}/msg`, { eventType: 'invoice.paid', payload: { invoice: 0 } });
  await t.dispatcher.runDue();
  const request = receiver.requests[0];
  assert.ok(request);
  verifyAll(key, request);
  refusedByAll(key, { ...request, body: request.body.replace('0', '1') });
  refusedByAll('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', request);
});

test('during a key rotation every request carries both signatures, and either secret verifies', async () => {
  const app = await api<{ id: string }>('POST', '/app', { name: 'Rotating' });
  const endpoint = await api<{ id: string }>('POST', `/app/${app.id}/endpoint`, {
    url: receiver.url,
  });
  const path = `/app/${app.id}/endpoint/${endpoint.id}`;
  const { key: oldKey } = await api<{ key: string }>('GET', `${path}/secret`);
  await api('POST', `${path}/secret/rotate`, { gracePeriodSeconds: 3600 }, 204);
  const { key: newKey } = await api<{ key: string }>('GET', `${path}/secret`);
  assert.notEqual(oldKey, newKey);

  const before = receiver.requests.length;
  await api('POST', `/app/${app.id}/msg`, { eventType: 'user.created', payload: { id: 1 } });
  await t.dispatcher.runDue();
  const during = receiver.requests[before];
  assert.ok(during);
  assert.equal(String(during.headers['webhook-signature']).split(' ').length, 2);
  verifyAll(oldKey, during);
  verifyAll(newKey, during);

  t.clock.advance(3601 * 1000);
  await api('POST', `/app/${app.id}/msg`, { eventType: 'user.created', payload: { id: 2 } });
  await t.dispatcher.runDue();
  const afterGrace = receiver.requests[before + 1];
  assert.ok(afterGrace);
  assert.equal(String(afterGrace.headers['webhook-signature']).split(' ').length, 1);
  verifyAll(newKey, afterGrace);
  refusedByAll(oldKey, afterGrace);
});

test('custom endpoint headers are sent and svix-* header names are used when asked', async () => {
  const app = await api<{ id: string }>('POST', '/app', { name: 'Headers' });
  const endpoint = await api<{ id: string }>('POST', `/app/${app.id}/endpoint`, {
    url: receiver.url,
    headers: { 'X-Tenant': 'acme', Authorization: 'Bearer receiver-secret' },
  });
  await setPolicy(t, endpoint.id, { signature: { scheme: 'svix' } });
  const before = receiver.requests.length;
  await api('POST', `/app/${app.id}/msg`, { eventType: 'user.created', payload: { id: 3 } });
  await t.dispatcher.runDue();
  const request = receiver.requests[before];
  assert.ok(request);
  assert.equal(request.headers['x-tenant'], 'acme');
  assert.equal(request.headers.authorization, 'Bearer receiver-secret');
  assert.ok(request.headers['svix-signature']);
  assert.equal(request.headers['webhook-signature'], undefined);
  const { key } = await api<{ key: string }>(
    'GET',
    `/app/${app.id}/endpoint/${endpoint.id}/secret`,
  );
  atFakeNow(() =>
    new SvixWebhook(key).verify(request.body, request.headers as Record<string, string>),
  );
});

type TestResult = { success: boolean; statusCode: number | null; error: string | null };

test('a test request is signed as a delivery is: a rotated-out raw-body secret is left out', async () => {
  const app = await api<{ id: string }>('POST', '/app', { name: 'Switching' });
  const endpoint = await api<{ id: string }>('POST', `/app/${app.id}/endpoint`, {
    url: receiver.url,
    policy: { signature: { scheme: 'hmac-sha256', header: 'X-Signature', encoding: 'hex' } },
    secret: 'a-caller-chosen-secret',
  });
  const path = `/app/${app.id}/endpoint/${endpoint.id}`;
  // The endpoint moves to Standard Webhooks: a whsec_ key first, the raw one in its grace period.
  await api('POST', `${path}/secret/rotate`, { gracePeriodSeconds: 3600 }, 204);
  await api('PATCH', path, { policy: { signature: { scheme: 'standard' } } });
  const { key } = await api<{ key: string }>('GET', `${path}/secret`);

  const before = receiver.requests.length;
  const tested = await api<TestResult>('POST', `${path}/test`);
  assert.deepEqual([tested.success, tested.statusCode, tested.error], [true, 200, null]);
  await api('POST', `/app/${app.id}/msg`, { eventType: 'user.created', payload: { id: 4 } });
  await t.dispatcher.runDue();
  const attempts = await api<{ data: { status: number; response: string }[] }>(
    'GET',
    `/app/${app.id}/attempt/endpoint/${endpoint.id}`,
  );
  assert.deepEqual(
    attempts.data.map((a) => [a.status, a.response]),
    [[0, 'ok']],
  );
  const [test, delivery] = receiver.requests.slice(before);
  for (const request of [test, delivery]) {
    assert.ok(request);
    assert.equal(String(request.headers['webhook-signature']).split(' ').length, 1);
    verifyAll(key, request);
  }
});

test('a test request is signed as a delivery is: a raw-body scheme signs with the current secret', async () => {
  const app = await api<{ id: string }>('POST', '/app', { name: 'Raw rotation' });
  const created = await api<{ id: string }>('POST', `/app/${app.id}/endpoint`, {
    url: receiver.url,
    policy: { signature: { scheme: 'hmac-sha256', header: 'X-Signature', encoding: 'hex' } },
    secret: 'the-first-secret',
  });
  const path = `/app/${app.id}/endpoint/${created.id}`;
  await api('POST', `${path}/secret/rotate`, { key: 'the-second-secret' }, 204);
  // However the endpoint's secrets are listed, the current one signs.
  const endpoint = await t.store.endpoints.findById(created.id);
  assert.ok(endpoint);
  await t.store.endpoints.update({ ...endpoint, secrets: endpoint.secrets.toReversed() });

  const before = receiver.requests.length;
  const tested = await api<TestResult>('POST', `${path}/test`);
  assert.equal(tested.success, true);
  await api('POST', `/app/${app.id}/msg`, { eventType: 'user.created', payload: { id: 5 } });
  await t.dispatcher.runDue();
  const [test, delivery] = receiver.requests.slice(before);
  for (const request of [test, delivery]) {
    assert.ok(request);
    assert.equal(
      request.headers['x-signature'],
      createHmac('sha256', 'the-second-secret').update(request.body).digest('hex'),
    );
  }
});
