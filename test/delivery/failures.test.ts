// Failures are recorded with their reasons; throttling, scheduled delivery, Ed25519 keys,
// replays and retention behave as documented.
import assert from 'node:assert/strict';
import { createPublicKey, verify } from 'node:crypto';
import { after, afterEach, before, test } from 'node:test';
import { ed25519PublicKey, generateEd25519Secret } from '../../src/domain/signing.ts';
import { type Api, client } from '../helpers/client.ts';
import { setPolicy } from '../helpers/fixtures.ts';
import { type Receiver, startReceiver } from '../helpers/receiver.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

type Page<T> = { data: T[] };
type Attempt = { status: number; responseStatusCode: number; response: string; timestamp: string };

let t: TestApp;
let api: Api;
let receiver: Receiver;

before(async () => {
  t = await createTestApp();
  api = client(t).api;
  receiver = await startReceiver();
});

// A test that fails midway must not leave its answers or requests to the next.
afterEach(() => receiver.reset());

after(async () => {
  await t.close();
  await receiver.close();
});

async function setup(name: string, url: string, extra: Record<string, unknown> = {}) {
  const app = await api<{ id: string }>('POST', '/app', { name, uid: name });
  const endpoint = await api<{ id: string }>('POST', `/app/${app.id}/endpoint`, { url, ...extra });
  return { app: app.id, endpoint: endpoint.id };
}

async function onlyAttempt(app: string, endpoint: string): Promise<Attempt> {
  const page = await api<Page<Attempt>>('GET', `/app/${app}/attempt/endpoint/${endpoint}`);
  assert.equal(page.data.length, 1);
  return page.data[0] as Attempt;
}

test('a redirect is a failure and is not followed', async () => {
  const target = await startReceiver();
  try {
    const { app, endpoint } = await setup('redirect', receiver.url);
    receiver.respond(() => ({ status: 302, headers: { location: target.url } }));
    await api('POST', `/app/${app}/msg`, { eventType: 'a.b', payload: {} });
    await t.dispatcher.runDue();
    const attempt = await onlyAttempt(app, endpoint);
    assert.equal(attempt.status, 2);
    assert.equal(attempt.responseStatusCode, 302);
    assert.match(attempt.response, /redirect \(302\).*not followed/);
    assert.equal(target.requests.length, 0);
  } finally {
    await target.close();
  }
});

test('a receiver that does not answer within the timeout fails with a timeout', async () => {
  const { app, endpoint } = await setup('timeout', receiver.url);
  await setPolicy(t, endpoint, { timeoutSeconds: 1 });
  receiver.respond(() => 'hang');
  await api('POST', `/app/${app}/msg`, { eventType: 'a.b', payload: {} });
  await t.dispatcher.runDue();
  const attempt = await onlyAttempt(app, endpoint);
  assert.equal(attempt.status, 2);
  assert.equal(attempt.responseStatusCode, 0);
  assert.match(attempt.response, /no complete response within 1000 ms/);
});

test('private and reserved destinations are refused unless allowed', async () => {
  for (const [name, url] of [
    ['metadata', 'http://169.254.169.254/latest/meta-data'],
    ['private', 'http://10.1.2.3/hook'],
    ['mapped', 'http://[::ffff:192.168.1.1]/hook'],
  ] as const) {
    const { app, endpoint } = await setup(name, url);
    await api('POST', `/app/${app}/msg`, { eventType: 'a.b', payload: {} });
    await t.dispatcher.runDue();
    const attempt = await onlyAttempt(app, endpoint);
    assert.equal(attempt.status, 2);
    assert.match(
      attempt.response,
      /is a (link-local|private) address; allow it with HERALD_ALLOWED_SUBNETS/,
    );
  }
});

test('throttleRate caps deliveries per second', async () => {
  const { app } = await setup('throttled', receiver.url, { throttleRate: 2 });
  const before = receiver.requests.length;
  for (let i = 0; i < 6; i++)
    await api('POST', `/app/${app}/msg`, { eventType: 'a.b', payload: { i } });
  const seen: number[] = [];
  for (let step = 0; step < 8; step++) {
    await t.dispatcher.runDue();
    seen.push(receiver.requests.length - before);
    t.clock.advance(500);
  }
  // At 2 per second: one at 0 ms, then one every 500 ms.
  assert.deepEqual(seen, [1, 2, 3, 4, 5, 6, 6, 6]);
});

test('a throttleRate that does not divide a second delivers too (3 per second)', async () => {
  const { app } = await setup('throttled-thirds', receiver.url, { throttleRate: 3 });
  const ids = new Set<unknown>();
  for (let i = 0; i < 3; i++)
    ids.add(
      (await api<{ id: string }>('POST', `/app/${app}/msg`, { eventType: 'a.b', payload: { i } }))
        .id,
    );
  // Only this endpoint's requests count: retries left by earlier tests may arrive meanwhile.
  const mine = () => receiver.requests.filter((r) => ids.has(r.headers['webhook-id'])).length;
  const seen: number[] = [];
  for (let step = 0; step < 4; step++) {
    await t.dispatcher.runDue();
    seen.push(mine());
    t.clock.advance(334);
  }
  // One at 0 ms, then one every 334 ms (a third of a second, rounded up to whole ms).
  assert.deepEqual(seen, [1, 2, 3, 3]);
});

test('deliverAt holds a message until its time', async () => {
  const { app } = await setup('scheduled', receiver.url);
  const at = new Date(t.clock.now() + 3_600_000).toISOString();
  const msg = await api<{ id: string; deliverAt: string }>('POST', `/app/${app}/msg`, {
    eventType: 'a.b',
    payload: {},
    deliverAt: at,
  });
  assert.equal(msg.deliverAt, at);
  await t.dispatcher.runDue();
  assert.equal(receiver.requests.filter((r) => r.headers['webhook-id'] === msg.id).length, 0);
  t.clock.advance(3_600_000);
  await t.dispatcher.runDue();
  assert.equal(receiver.requests.filter((r) => r.headers['webhook-id'] === msg.id).length, 1);
});

test('an Ed25519 endpoint gets v1a signatures that verify with its public key', async () => {
  const { secret, publicKey } = generateEd25519Secret();
  assert.equal(ed25519PublicKey(secret), publicKey);
  const { app } = await setup('ed25519', receiver.url, { secret });
  const msg = await api<{ id: string }>('POST', `/app/${app}/msg`, {
    eventType: 'a.b',
    payload: { signed: true },
  });
  await t.dispatcher.runDue();
  const request = receiver.requests.find((r) => r.headers['webhook-id'] === msg.id);
  assert.ok(request);
  const signature = String(request.headers['webhook-signature']);
  assert.match(signature, /^v1a,/);
  const content = `${msg.id}.${request.headers['webhook-timestamp']}.${request.body}`;
  const key = createPublicKey({
    key: {
      kty: 'OKP',
      crv: 'Ed25519',
      x: Buffer.from(publicKey.slice(5), 'base64').toString('base64url'),
    },
    format: 'jwk',
  });
  assert.ok(verify(null, Buffer.from(content), key, Buffer.from(signature.slice(4), 'base64')));
  assert.equal(
    verify(null, Buffer.from(`${content} `), key, Buffer.from(signature.slice(4), 'base64')),
    false,
  );
});

test('replay-missing sends what an endpoint never got; bulk-replay sends matching messages again', async () => {
  const app = await api<{ id: string }>('POST', '/app', { name: 'replays' });
  const since = new Date(t.clock.now()).toISOString();
  for (let i = 0; i < 3; i++)
    await api('POST', `/app/${app.id}/msg`, { eventType: 'a.b', payload: { i } });
  const late = await api<{ id: string }>('POST', `/app/${app.id}/endpoint`, { url: receiver.url });
  t.clock.advance(1000);
  const task = await api<{ id: string; task: string }>(
    'POST',
    `/app/${app.id}/endpoint/${late.id}/replay-missing`,
    { since },
    202,
  );
  assert.equal(task.task, 'endpoint.replay');
  await t.backgroundTasks.idle();
  await t.dispatcher.runDue();
  const got = await api<Page<{ status: number }>>('GET', `/app/${app.id}/endpoint/${late.id}/msg`);
  assert.deepEqual(
    got.data.map((d) => d.status),
    [0, 0, 0],
  );

  const before = receiver.requests.length;
  await api('POST', `/app/${app.id}/endpoint/${late.id}/bulk-replay`, { since, status: 0 }, 202);
  await t.backgroundTasks.idle();
  await t.dispatcher.runDue();
  assert.equal(receiver.requests.length - before, 3);
  const finished = await api<Page<{ task: string; status: string }>>(
    'GET',
    '/background-task?limit=2',
  );
  assert.deepEqual(
    finished.data.map((x) => [x.task, x.status]),
    [
      ['endpoint.bulk-replay', 'finished'],
      ['endpoint.replay', 'finished'],
    ],
  );
});

test('after the retention period payloads read as expired and cannot be resent', async () => {
  const { app, endpoint } = await setup('retention', receiver.url);
  const msg = await api<{ id: string }>('POST', `/app/${app}/msg`, {
    eventType: 'a.b',
    payload: { keep: 'no' },
  });
  await t.dispatcher.runDue();
  const { maintenance } = t;
  t.clock.advance((t.config.retentionDays - 1) * 86_400_000);
  assert.equal((await maintenance.run()).payloads, 0);
  t.clock.advance(2 * 86_400_000);
  assert.ok((await maintenance.run()).payloads >= 1);
  const read = await api<{ payload: unknown }>('GET', `/app/${app}/msg/${msg.id}`);
  assert.deepEqual(read.payload, { expired: true });
  const attempt = await onlyAttempt(app, endpoint);
  assert.equal(attempt.response, '');
  await api('POST', `/app/${app}/msg/${msg.id}/endpoint/${endpoint}/resend`, undefined, 422);
});
