// /api/v1/health on a real Herald (serve(), its dispatcher loop on the real clock, a receiver
// on 127.0.0.1): the dispatcher's last round, its attempts in flight and its claim errors are
// reported as they are, and a dispatcher whose claims fail makes the node unready (503).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type InProcessHerald, startInProcessHerald } from '../helpers/herald-process.ts';
import { parsePrometheus } from '../helpers/prometheus.ts';
import { type Receiver, startReceiver } from '../helpers/receiver.ts';

let herald: InProcessHerald;
let receiver: Receiver;

before(async () => {
  receiver = await startReceiver(() => ({ status: 200 }));
  herald = await startInProcessHerald({ allowedSubnets: ['127.0.0.1/32'] });
});

after(async () => {
  await herald?.close();
  await receiver?.close();
});

async function api(method: string, path: string, body?: unknown) {
  const response = await fetch(`${herald.url}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${herald.token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  assert.ok(response.status < 300, `${method} ${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

// biome-ignore lint/suspicious/noExplicitAny: the body is checked field by field.
type Json = any;

async function health(): Promise<{ status: number; body: Json }> {
  const response = await fetch(`${herald.url}/api/v1/health`);
  return { status: response.status, body: await response.json() };
}

async function until<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean, ms = 15_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)}`);
    await sleep(25);
  }
}

test('the dispatcher reports its loop, its attempts in flight and its claim errors', {
  timeout: 60_000,
}, async () => {
  const first = await health();
  assert.equal(first.status, 200);
  assert.equal(first.body.dispatcher.status, 'OK');
  assert.ok(Date.now() - Date.parse(first.body.dispatcher.lastTickAt) < 60_000);
  assert.equal(first.body.dispatcher.inFlight, 0);
  assert.equal(first.body.dispatcher.claimErrors, 0);

  // An attempt the receiver takes a while to answer is in flight meanwhile.
  receiver.respond(() => ({ status: 200, delayMs: 1500 }));
  const app = await api('POST', '/app', { name: 'health' });
  await api('POST', `/app/${app.id}/endpoint`, { url: receiver.url });
  await api('POST', `/app/${app.id}/msg`, { eventType: 'h.x', payload: {} });
  const busy = await until('in flight', health, (h) => h.body.dispatcher.inFlight === 1);
  assert.equal(busy.status, 200);
  await until('answered', health, (h) => h.body.dispatcher.inFlight === 0);

  // Claims that fail: the dispatcher is failing and the node is not ready.
  const queue = herald.store.queue;
  const claim = queue.claim;
  queue.claim = async () => {
    throw new Error('disk I/O error');
  };
  try {
    // A throttled endpoint's deliveries go through the queue, so the loop claims them.
    const throttled = await api('POST', '/app', { name: 'throttled' });
    await api('POST', `/app/${throttled.id}/endpoint`, { url: receiver.url, rateLimit: 1 });
    receiver.respond(() => ({ status: 200 }));
    await api('POST', `/app/${throttled.id}/msg`, { eventType: 'h.y', payload: {} });
    const failing = await until('claim errors', health, (h) => h.status === 503);
    assert.equal(failing.body.dispatcher.status, 'ERROR');
    assert.ok(failing.body.dispatcher.consecutiveClaimErrors >= 1);
    assert.equal(failing.body.database.status, 'OK');
    const metrics = parsePrometheus(await (await fetch(`${herald.url}/metrics`)).text());
    assert.ok(metrics.value('herald_dispatcher_claim_errors_total') >= 1);
  } finally {
    queue.claim = claim;
  }
  // The claims work again: the dispatcher recovers and delivers what was waiting.
  const recovered = await until('recovery', health, (h) => h.status === 200);
  assert.equal(recovered.body.dispatcher.status, 'OK');
  assert.equal(recovered.body.dispatcher.consecutiveClaimErrors, 0);
  assert.ok(recovered.body.dispatcher.claimErrors >= 1);
  await until(
    'delivered',
    async () => receiver.requests.length,
    (n) => n >= 2,
  );
});
