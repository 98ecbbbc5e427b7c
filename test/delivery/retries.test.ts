// Retries follow the schedule under a fake clock; 410 and the failure window disable the
// endpoint and tell the operational endpoint; recover and resend send failed messages again.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, afterEach, before, test } from 'node:test';
import { type Api, client } from '../helpers/client.ts';
import { setPolicy } from '../helpers/fixtures.ts';
import { type Receiver, startReceiver } from '../helpers/receiver.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

type Attempt = {
  status: number;
  responseStatusCode: number;
  timestamp: string;
  triggerType: number;
  response: string;
};
type Page<T> = { data: T[] };

let t: TestApp;
let api: Api;
let receiver: Receiver;
let operational: Receiver;
const noJitter = { float: () => 0.5, bytes: (n: number) => randomBytes(n) };

before(async () => {
  t = await createTestApp({ random: noJitter, config: { failureWindowHours: 2 } });
  api = client(t).api;
  receiver = await startReceiver();
  operational = await startReceiver();
  await api('POST', '/operational-webhook/endpoint', { url: operational.url }, 201);
});

// A test that fails midway must not leave its answers or requests to the next.
afterEach(() => {
  receiver.reset();
  operational.reset();
});

after(async () => {
  await t.close();
  await receiver.close();
  await operational.close();
});

async function setup(name: string, extra: Record<string, unknown> = {}) {
  const app = await api<{ id: string }>('POST', '/app', { name, uid: name });
  const endpoint = await api<{ id: string }>('POST', `/app/${app.id}/endpoint`, {
    url: receiver.url,
    ...extra,
  });
  return { app: app.id, endpoint: endpoint.id };
}

async function attemptsOf(app: string, msg: string) {
  return (await api<Page<Attempt>>('GET', `/app/${app}/attempt/msg/${msg}`)).data.reverse();
}

function operationalEvents(type: string) {
  return operational.requests
    .map((r) => JSON.parse(r.body) as { type: string; data: Record<string, unknown> })
    .filter((e) => e.type === type);
}

test('a receiver failing twice then succeeding gets exactly the planned attempts at the planned times', async () => {
  const { app, endpoint } = await setup('fails-twice');
  let calls = 0;
  receiver.respond(() =>
    ++calls <= 2 ? { status: 500, body: 'down' } : { status: 200, body: 'ok' },
  );
  const t0 = t.clock.now();
  const msg = await api<{ id: string }>('POST', `/app/${app}/msg`, {
    eventType: 'a.b',
    payload: { n: 1 },
  });

  await t.dispatcher.runDue();
  assert.equal(calls, 1);
  const pending = await api<Page<{ status: number; nextAttempt: string }>>(
    'GET',
    `/app/${app}/msg/${msg.id}/endpoint`,
  );
  assert.equal(pending.data[0]?.status, 1);
  assert.equal(pending.data[0]?.nextAttempt, new Date(t0 + 5000).toISOString());

  t.clock.advance(4999);
  await t.dispatcher.runDue();
  assert.equal(calls, 1, 'not retried before its time');
  t.clock.advance(1);
  await t.dispatcher.runDue();
  assert.equal(calls, 2);
  t.clock.advance(299_999);
  await t.dispatcher.runDue();
  assert.equal(calls, 2);
  t.clock.advance(1);
  await t.dispatcher.runDue();
  assert.equal(calls, 3);

  const attempts = await attemptsOf(app, msg.id);
  assert.deepEqual(
    attempts.map((a) => [a.responseStatusCode, a.status, Date.parse(a.timestamp) - t0]),
    [
      [500, 2, 0],
      [500, 2, 5000],
      [200, 0, 305_000],
    ],
  );
  assert.equal(attempts[0]?.response, 'down');
  const done = await api<Page<{ status: number; nextAttempt: string | null }>>(
    'GET',
    `/app/${app}/msg/${msg.id}/endpoint`,
  );
  assert.deepEqual([done.data[0]?.status, done.data[0]?.nextAttempt], [0, null]);
  const stats = await api<Record<string, number>>('GET', `/app/${app}/endpoint/${endpoint}/stats`);
  assert.equal(stats.success, 1);
});

test('after the last scheduled attempt the delivery is failed and message.attempt.exhausted is sent', async () => {
  const { app, endpoint } = await setup('exhausts');
  // A schedule that ends well inside the 2-hour failure window of this suite.
  const schedule = [5, 60, 300, 600];
  await setPolicy(t, endpoint, { retry: { schedule: schedule } });
  receiver.respond(() => ({ status: 503, body: 'busy' }));
  const msg = await api<{ id: string }>('POST', `/app/${app}/msg`, {
    eventType: 'a.b',
    payload: { n: 2 },
  });
  await t.dispatcher.runDue();
  for (const wait of schedule) {
    t.clock.advance(wait * 1000);
    await t.dispatcher.runDue();
  }
  t.clock.advance(86_400_000);
  await t.dispatcher.runDue();
  const attempts = await attemptsOf(app, msg.id);
  assert.equal(attempts.length, schedule.length + 1);
  const state = await api<Page<{ status: number; nextAttempt: string | null }>>(
    'GET',
    `/app/${app}/msg/${msg.id}/endpoint`,
  );
  assert.deepEqual([state.data[0]?.status, state.data[0]?.nextAttempt], [2, null]);
  const exhausted = operationalEvents('message.attempt.exhausted').filter(
    (e) => e.data.msgId === msg.id,
  );
  assert.equal(exhausted.length, 1);
  assert.equal(
    (exhausted[0]?.data.lastAttempt as { responseStatusCode: number } | undefined)
      ?.responseStatusCode,
    503,
  );
  assert.ok(operationalEvents('message.attempt.failing').some((e) => e.data.msgId === msg.id));
});

test('410 Gone disables the endpoint at once and emits endpoint.disabled; re-enabling resumes delivery', async () => {
  const { app, endpoint } = await setup('gone');
  receiver.respond(() => ({ status: 410 }));
  await api('POST', `/app/${app}/msg`, { eventType: 'a.b', payload: { n: 3 } });
  await t.dispatcher.runDue();
  const ep = await api<{ disabled: boolean }>('GET', `/app/${app}/endpoint/${endpoint}`);
  assert.equal(ep.disabled, true);
  const disabled = operationalEvents('endpoint.disabled').filter(
    (e) => e.data.endpointId === endpoint,
  );
  assert.equal(disabled.length, 1);
  assert.equal(disabled[0]?.data.appUid, 'gone');

  // While disabled, nothing is delivered; new messages do not go to it.
  receiver.respond(() => ({ status: 200 }));
  const before = receiver.requests.length;
  await api('POST', `/app/${app}/msg`, { eventType: 'a.b', payload: { n: 4 } });
  await t.dispatcher.runDue();
  assert.equal(receiver.requests.length, before);

  await api('PATCH', `/app/${app}/endpoint/${endpoint}`, { disabled: false });
  await t.dispatcher.runDue();
  assert.ok(operationalEvents('endpoint.enabled').some((e) => e.data.endpointId === endpoint));
  // Delivery resumes: a message published now arrives, and is recorded as delivered.
  const after = await api<{ id: string }>('POST', `/app/${app}/msg`, {
    eventType: 'a.b',
    payload: { n: 6 },
  });
  await t.dispatcher.runDue();
  assert.deepEqual(
    receiver.requests.slice(before).map((r) => [r.headers['webhook-id'], JSON.parse(r.body)]),
    [[after.id, { n: 6 }]],
  );
  const delivered = await api<Page<{ status: number }>>(
    'GET',
    `/app/${app}/msg/${after.id}/endpoint`,
  );
  assert.equal(delivered.data[0]?.status, 0);
});

test('disabling an endpoint pauses its pending retries; enabling it resumes them', async () => {
  const { app, endpoint } = await setup('paused');
  receiver.respond(() => ({ status: 500 }));
  const msg = await api<{ id: string }>('POST', `/app/${app}/msg`, {
    eventType: 'a.b',
    payload: { n: 5 },
  });
  await t.dispatcher.runDue();
  await api('PATCH', `/app/${app}/endpoint/${endpoint}`, { disabled: true });
  receiver.respond(() => ({ status: 200 }));
  const before = receiver.requests.length;
  t.clock.advance(3_600_000);
  await t.dispatcher.runDue();
  assert.equal(
    receiver.requests.slice(before).filter((r) => r.headers['webhook-id'] === msg.id).length,
    0,
  );
  const paused = await api<Page<{ status: number; nextAttempt: string | null }>>(
    'GET',
    `/app/${app}/msg/${msg.id}/endpoint`,
  );
  assert.deepEqual([paused.data[0]?.status, paused.data[0]?.nextAttempt], [1, null]);

  await api('PATCH', `/app/${app}/endpoint/${endpoint}`, { disabled: false });
  await t.dispatcher.runDue();
  assert.equal(
    receiver.requests.slice(before).filter((r) => r.headers['webhook-id'] === msg.id).length,
    1,
  );
  const done = await api<Page<{ status: number }>>('GET', `/app/${app}/msg/${msg.id}/endpoint`);
  assert.equal(done.data[0]?.status, 0);
});

test('an endpoint failing with no success for the failure window is disabled', async () => {
  const { app, endpoint } = await setup('window');
  receiver.respond(() => ({ status: 500 }));
  const start = t.clock.now();
  // A message every 30 minutes, each failing; the window is 2 hours.
  for (let i = 0; i < 6 && t.clock.now() - start <= 3 * 3_600_000; i++) {
    await api('POST', `/app/${app}/msg`, { eventType: 'a.b', payload: { i } });
    await t.dispatcher.runDue();
    const ep = await api<{ disabled: boolean }>('GET', `/app/${app}/endpoint/${endpoint}`);
    if (ep.disabled) break;
    t.clock.advance(30 * 60_000);
  }
  const ep = await api<{ disabled: boolean }>('GET', `/app/${app}/endpoint/${endpoint}`);
  assert.equal(ep.disabled, true);
  const event = operationalEvents('endpoint.disabled').find((e) => e.data.endpointId === endpoint);
  assert.ok(event);
  assert.equal(event.data.failSince, new Date(start).toISOString());
  assert.ok(t.clock.now() - start >= 2 * 3_600_000);
});

test('a success resets the failure window', async () => {
  const { app, endpoint } = await setup('flaky');
  let n = 0;
  receiver.respond(() => ({ status: ++n % 2 === 0 ? 200 : 500 }));
  for (let i = 0; i < 8; i++) {
    await api('POST', `/app/${app}/msg`, { eventType: 'a.b', payload: { i } });
    await t.dispatcher.runDue();
    t.clock.advance(30 * 60_000);
  }
  const ep = await api<{ disabled: boolean }>('GET', `/app/${app}/endpoint/${endpoint}`);
  assert.equal(ep.disabled, false);
});

test('recover resends failed messages since a date; resend makes one manual attempt', async () => {
  const { app, endpoint } = await setup('recover');
  await api('PATCH', `/app/${app}/endpoint/${endpoint}`, {});
  await setPolicy(t, endpoint, { retry: { schedule: [] } });
  receiver.respond(() => ({ status: 500 }));
  const since = new Date(t.clock.now()).toISOString();
  const msgs = [];
  for (let i = 0; i < 3; i++)
    msgs.push(
      await api<{ id: string }>('POST', `/app/${app}/msg`, { eventType: 'a.b', payload: { i } }),
    );
  await t.dispatcher.runDue();
  const failed = await api<Page<{ status: number }>>(
    'GET',
    `/app/${app}/endpoint/${endpoint}/msg?status=2`,
  );
  assert.equal(failed.data.length, 3);

  receiver.respond(() => ({ status: 200 }));
  t.clock.advance(60_000);
  const task = await api<{ id: string; status: string }>(
    'POST',
    `/app/${app}/endpoint/${endpoint}/recover`,
    { since },
    202,
  );
  await t.backgroundTasks.idle();
  await t.dispatcher.runDue();
  const ok = await api<Page<{ status: number }>>(
    'GET',
    `/app/${app}/endpoint/${endpoint}/msg?status=0`,
  );
  assert.equal(ok.data.length, 3);
  const background = await api<{ status: string; data: { requeued: number } }>(
    'GET',
    `/background-task/${task.id}`,
  );
  assert.deepEqual([background.status, background.data.requeued], ['finished', 3]);

  const first = msgs[0]?.id ?? '';
  await api('POST', `/app/${app}/msg/${first}/endpoint/${endpoint}/resend`, undefined, 202);
  await t.dispatcher.runDue();
  const attempts = await attemptsOf(app, first);
  assert.deepEqual(
    attempts.map((a) => [a.responseStatusCode, a.triggerType]),
    [
      [500, 0],
      [200, 1],
      [200, 1],
    ],
  );
});

test('a policy without a failure window, or with disableOnGone false, never disables the endpoint', async () => {
  const policy = { failureWindowHours: null, disableOnGone: false };
  const { app, endpoint } = await setup('no-window', { policy });
  const stored = await api<{ policy: unknown }>('GET', `/app/${app}/endpoint/${endpoint}`);
  assert.deepEqual(stored.policy, policy);
  receiver.respond(() => ({ status: 500 }));
  const start = t.clock.now();
  // A failing message every 30 minutes for 3 hours; the server's window is 2 hours.
  while (t.clock.now() - start <= 3 * 3_600_000) {
    await api('POST', `/app/${app}/msg`, { eventType: 'a.b', payload: { n: 1 } });
    await t.dispatcher.runDue();
    t.clock.advance(30 * 60_000);
  }
  receiver.respond(() => ({ status: 410 }));
  const gone = await api<{ id: string }>('POST', `/app/${app}/msg`, {
    eventType: 'a.b',
    payload: { n: 2 },
  });
  await t.dispatcher.runDue();
  receiver.respond(() => ({ status: 200 }));
  const ep = await api<{ disabled: boolean }>('GET', `/app/${app}/endpoint/${endpoint}`);
  assert.equal(ep.disabled, false);
  assert.ok(!operationalEvents('endpoint.disabled').some((e) => e.data.endpointId === endpoint));
  const delivery = await api<Page<{ status: number }>>(
    'GET',
    `/app/${app}/msg/${gone.id}/endpoint`,
  );
  assert.equal(delivery.data[0]?.status, 2, 'the 410 fails that message at once');
});
