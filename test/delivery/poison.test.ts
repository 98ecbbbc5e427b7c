// A delivery whose request cannot be built, signed or sent still ends: an attempt is recorded
// with a coded reason, and the rules retry it or fail it (at once when it cannot succeed),
// with an operational event either way. Nothing is left "sending" to be claimed forever.
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import type { HttpClient } from '../../src/outbound/request.ts';
import { type Api, client } from '../helpers/client.ts';
import { type Receiver, startReceiver } from '../helpers/receiver.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

type Attempt = { status: number; responseStatusCode: number; response: string };
type Page<T> = { data: T[] };

let t: TestApp;
let api: Api;
let receiver: Receiver;
let operational: Receiver;

before(async () => {
  t = await createTestApp({ config: { retrySchedule: [60, 60] } });
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

/** A payload nested `depth` levels deep: valid JSON that recursive renderers cannot walk. */
function deep(depth: number): unknown {
  let value: unknown = { leaf: true };
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

function exhaustedFor(msgId: string) {
  return operational.requests
    .map((r) => JSON.parse(r.body) as { type: string; data: { msgId?: string } })
    .filter((e) => e.type === 'message.attempt.exhausted' && e.data.msgId === msgId);
}

// Deep enough that rendering overflows the stack: XML fails past about 1,900 levels and
// forms past about 3,100. The API now refuses JSON nested over 128 levels, so such payloads
// are stored as an earlier version (which accepted about 4,400 levels) left them: the test
// publishes a shallow message and deepens its stored payload.
const unrenderable: [string, Record<string, unknown>, number][] = [
  ['XML', { format: 'xml' }, 3000],
  ['a form', { format: 'form', envelope: { booking: '{{payload}}' } }, 3900],
];

for (const [name, policy, depth] of unrenderable) {
  test(`a payload too deep to render as ${name} fails at once with render_failed`, async () => {
    const app = await api<{ id: string }>('POST', '/app', { name: `deep-${name}` });
    const endpoint = await api<{ id: string }>('POST', `/app/${app.id}/endpoint`, {
      url: receiver.url,
      policy,
    });
    const msg = await api<{ id: string }>('POST', `/app/${app.id}/msg`, {
      eventType: 'a.b',
      payload: { shallow: true },
      deliverAt: new Date(t.clock.now() + 1000).toISOString(),
    });
    await t.sql.run('UPDATE messages SET payload = ? WHERE id = ?', [
      JSON.stringify(deep(depth)),
      msg.id,
    ]);
    t.clock.advance(1000);
    const before = receiver.requests.length;
    await t.dispatcher.runDue();
    assert.equal(receiver.requests.length, before, 'nothing was sent');
    const attempts = await api<Page<Attempt>>('GET', `/app/${app.id}/attempt/msg/${msg.id}`);
    assert.equal(attempts.data.length, 1, 'one attempt is recorded');
    assert.equal(attempts.data[0]?.status, 2);
    assert.equal(attempts.data[0]?.responseStatusCode, 0);
    assert.match(attempts.data[0]?.response ?? '', /^render_failed: /);
    const deliveries = await api<Page<{ status: number; nextAttempt: string | null }>>(
      'GET',
      `/app/${app.id}/msg/${msg.id}/endpoint`,
    );
    assert.deepEqual(
      deliveries.data.map((d) => [d.status, d.nextAttempt]),
      [[2, null]],
      'failed, with no further attempt',
    );
    // The failure reaches the producer like any exhausted message.
    await t.dispatcher.runDue();
    assert.equal(exhaustedFor(msg.id).length, 1);
    // The endpoint itself still works.
    await api('PATCH', `/app/${app.id}/endpoint/${endpoint.id}`, { policy: {} });
    await api('POST', `/app/${app.id}/msg`, { eventType: 'a.b', payload: { ok: true } });
    await t.dispatcher.runDue();
    assert.equal(receiver.requests.length, before + 1);
  });
}

test('a client that throws instead of answering gives a send_failed attempt, retried by the schedule', async () => {
  const app = await api<{ id: string }>('POST', '/app', { name: 'throwing-client' });
  await api('POST', `/app/${app.id}/endpoint`, { url: receiver.url });
  const send = t.http.send;
  (t.http as HttpClient).send = async () => {
    throw new Error('the sending thread is gone');
  };
  try {
    const msg = await api<{ id: string }>('POST', `/app/${app.id}/msg`, {
      eventType: 'a.b',
      payload: {},
    });
    await t.dispatcher.runDue();
    const attempts = await api<Page<Attempt>>('GET', `/app/${app.id}/attempt/msg/${msg.id}`);
    assert.equal(attempts.data.length, 1);
    assert.match(attempts.data[0]?.response ?? '', /^send_failed: .*the sending thread is gone/);
    const deliveries = await api<Page<{ status: number; nextAttempt: string | null }>>(
      'GET',
      `/app/${app.id}/msg/${msg.id}/endpoint`,
    );
    assert.equal(deliveries.data[0]?.status, 1, 'pending: a send may work next time');
    assert.ok(deliveries.data[0]?.nextAttempt);
  } finally {
    (t.http as HttpClient).send = send;
  }
});
