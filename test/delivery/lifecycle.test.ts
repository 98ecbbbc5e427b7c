// The running dispatcher: publishing wakes it at once, and stopping lets attempts in flight
// finish and records them. Operational webhook endpoints are managed like endpoints.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { systemClock } from '../../src/domain/clock.ts';
import { client } from '../helpers/client.ts';
import { startReceiver } from '../helpers/receiver.ts';
import { createTestApp } from '../helpers/test-app.ts';

test('a published message is sent at once by the running dispatcher, without waiting for a poll', async () => {
  const t = await createTestApp();
  const receiver = await startReceiver();
  try {
    const api = client(t).api;
    // Real time for the loop; its idle sleep is 30 s, so only the publish wake-up can explain a fast arrival.
    t.clock.set(systemClock.now());
    const app = await api<{ id: string }>('POST', '/app', { name: 'wake' });
    await api('POST', `/app/${app.id}/endpoint`, { url: receiver.url });
    // The loop looks for the next due time only after a round that found nothing to send;
    // then it sleeps.
    const queue = t.store.queue;
    const nextDueAt = queue.nextDueAt;
    const idle = new Promise<void>((resolve) => {
      queue.nextDueAt = async () => {
        const next = await nextDueAt.call(queue);
        resolve();
        return next;
      };
    });
    t.dispatcher.start();
    await idle;
    t.clock.set(systemClock.now());
    await api('POST', `/app/${app.id}/msg`, { eventType: 'a.b', payload: { now: true } });
    const deadline = Date.now() + 5000;
    while (receiver.requests.length === 0 && Date.now() < deadline) await sleep(5);
    assert.equal(receiver.requests.length, 1);
  } finally {
    await t.close();
    await receiver.close();
  }
});

test('stop lets an attempt in flight finish and records it', async () => {
  const t = await createTestApp();
  let release: () => void = () => {};
  const answered = new Promise<void>((resolve) => {
    release = resolve;
  });
  const receiver = await startReceiver(() => 'hang');
  try {
    const api = client(t).api;
    const app = await api<{ id: string }>('POST', '/app', { name: 'graceful' });
    const endpoint = await api<{ id: string }>('POST', `/app/${app.id}/endpoint`, {
      url: receiver.url,
    });
    receiver.respond(() => {
      release();
      return { status: 200, body: 'late but fine' };
    });
    t.dispatcher.start();
    await api('POST', `/app/${app.id}/msg`, { eventType: 'a.b', payload: {} });
    await answered;
    await t.dispatcher.stop(5000);
    const attempts = await api<{ data: { status: number; response: string }[] }>(
      'GET',
      `/app/${app.id}/attempt/endpoint/${endpoint.id}`,
    );
    assert.deepEqual(
      attempts.data.map((a) => [a.status, a.response]),
      [[0, 'late but fine']],
    );
  } finally {
    await t.close();
    await receiver.close();
  }
});

test('stop puts back the deliveries still waiting for a slot; they go out after a restart', async () => {
  const t = await createTestApp({ perEndpointConcurrency: 1 });
  let release: () => void = () => {};
  const first = new Promise<void>((resolve) => {
    release = resolve;
  });
  const receiver = await startReceiver(() => {
    release();
    return { status: 200, delayMs: 200 };
  });
  try {
    const api = client(t).api;
    const app = await api<{ id: string }>('POST', '/app', { name: 'release' });
    await api('POST', `/app/${app.id}/endpoint`, { url: receiver.url });
    for (let i = 0; i < 5; i++)
      await api('POST', `/app/${app.id}/msg`, { eventType: 'a.b', payload: { i } });
    t.dispatcher.start();
    await first; // one attempt is in flight, four wait for the endpoint's single slot
    await t.dispatcher.stop(5000);
    assert.equal(receiver.requests.length, 1, 'only the attempt in flight was sent');
    const queue = await api<{ data: { status: number; nextAttempt: string | null }[] }>(
      'GET',
      `/queue?app_id=${app.id}`,
    );
    assert.equal(queue.data.length, 4);
    assert.ok(
      queue.data.every((d) => d.status === 1 && d.nextAttempt !== null),
      'released, due again, not leased',
    );
    await t.dispatcher.runDue();
    assert.equal(receiver.requests.length, 5);
  } finally {
    await t.close();
    await receiver.close();
  }
});

test('operational webhook endpoints: create, read, update, secret, headers, delete', async () => {
  const t = await createTestApp();
  try {
    const api = client(t).api;
    const created = await api<{ id: string; filterTypes: string[] }>(
      'POST',
      '/operational-webhook/endpoint',
      { url: 'https://ops.example.com/hook', filterTypes: ['endpoint.disabled'] },
      201,
    );
    assert.deepEqual(created.filterTypes, ['endpoint.disabled']);
    await api(
      'POST',
      '/operational-webhook/endpoint',
      { url: 'https://x.example.com', filterTypes: ['nope'] },
      422,
    );
    const list = await api<{ data: { id: string }[] }>('GET', '/operational-webhook/endpoint');
    assert.deepEqual(
      list.data.map((e) => e.id),
      [created.id],
    );
    const path = `/operational-webhook/endpoint/${created.id}`;
    const patched = await api<{ description: string; url: string }>('PATCH', path, {
      description: 'on-call',
    });
    assert.deepEqual(
      [patched.description, patched.url],
      ['on-call', 'https://ops.example.com/hook'],
    );
    const { key } = await api<{ key: string }>('GET', `${path}/secret`);
    assert.match(key, /^whsec_/);
    await api('POST', `${path}/secret/rotate`, {}, 204);
    assert.notEqual((await api<{ key: string }>('GET', `${path}/secret`)).key, key);
    await api('PUT', `${path}/headers`, { headers: { 'X-Team': 'ops' } }, 204);
    assert.deepEqual(
      (await api<{ headers: Record<string, string> }>('GET', `${path}/headers`)).headers,
      {
        'X-Team': 'ops',
      },
    );
    // Herald's own application stays out of the customer API.
    const apps = await api<{ data: unknown[] }>('GET', '/app');
    assert.equal(apps.data.length, 0);
    await api('DELETE', path, undefined, 204);
    await api('GET', path, undefined, 404);
  } finally {
    await t.close();
  }
});

test('a running dispatcher takes a new message as it is stored: already sending when the publish returns', async () => {
  const t = await createTestApp();
  const receiver = await startReceiver(() => ({ status: 200, delayMs: 300 }));
  try {
    const api = client(t).api;
    t.clock.set(systemClock.now());
    const app = await api<{ id: string }>('POST', '/app', { name: 'handoff' });
    const endpoint = await api<{ id: string }>('POST', `/app/${app.id}/endpoint`, {
      url: receiver.url,
    });
    t.dispatcher.start();
    await api('POST', `/app/${app.id}/msg`, { eventType: 'a.b', payload: {} });
    const stats = () =>
      api<{ pending: number; sending: number; success: number }>(
        'GET',
        `/app/${app.id}/endpoint/${endpoint.id}/stats`,
      );
    // No claim round ran in between: the delivery was stored claimed by this dispatcher.
    assert.deepEqual(await stats(), { pending: 0, sending: 1, success: 0, fail: 0, canceled: 0 });
    const deadline = Date.now() + 5000;
    while ((await stats()).success === 0 && Date.now() < deadline) await sleep(20);
    assert.deepEqual(await stats(), { pending: 0, sending: 0, success: 1, fail: 0, canceled: 0 });
    assert.equal(receiver.requests.length, 1);
  } finally {
    await t.close();
    await receiver.close();
  }
});

test('a dispatcher with no room leaves new deliveries to the queue, and an aborted offer gives its slots back', async () => {
  const t = await createTestApp({ maxInFlight: 1 });
  try {
    const api = client(t).api;
    const app = await api<{ id: string }>('POST', '/app', { name: 'room' });
    await api('POST', `/app/${app.id}/endpoint`, { url: 'http://127.0.0.1:9/' });
    const [endpoint] = await t.store.endpoints.listEnabled(app.id);
    const application = await t.store.applications.find(app.id);
    assert.ok(application && endpoint);
    assert.equal(t.dispatcher.offer(application), null, 'a stopped dispatcher offers nothing');
    t.dispatcher.start();
    const first = t.dispatcher.offer(application);
    assert.ok(first);
    assert.equal(typeof first.take(endpoint, null, t.clock.now()), 'number');
    const second = t.dispatcher.offer(application);
    assert.equal(second?.take(endpoint, null, t.clock.now()), null, 'no room left');
    first.abort();
    const third = t.dispatcher.offer(application);
    assert.equal(typeof third?.take(endpoint, null, t.clock.now()), 'number');
    third?.abort();
  } finally {
    await t.close();
  }
});

test('payload bytes in flight are bounded: large payloads are sent fewer at a time, all of them in the end', async () => {
  const t = await createTestApp({ maxInFlightBytes: 2500 });
  let current = 0;
  let most = 0;
  let received = 0;
  const server = createServer((req, res) => {
    current++;
    most = Math.max(most, current);
    req.resume();
    req.on('end', () =>
      setTimeout(() => {
        current--;
        received++;
        res.writeHead(200).end();
      }, 100),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const api = client(t).api;
    t.clock.set(systemClock.now());
    const app = await api<{ id: string }>('POST', '/app', { name: 'bytes' });
    const { port } = server.address() as AddressInfo;
    await api('POST', `/app/${app.id}/endpoint`, { url: `http://127.0.0.1:${port}/hook` });
    for (let i = 0; i < 12; i++) {
      await api('POST', `/app/${app.id}/msg`, {
        eventType: 'a.b',
        payload: { blob: 'x'.repeat(1000) },
      });
    }
    t.dispatcher.start();
    const deadline = Date.now() + 10_000;
    while (received < 12 && Date.now() < deadline) await sleep(20);
    assert.equal(received, 12);
    // ~1 kB each against a 2.5 kB bound: three at a time at most (16 without the bound).
    assert.ok(most <= 3, `${most} requests were in flight at once`);
  } finally {
    await t.close();
    await new Promise((resolve) => server.close(resolve));
  }
});
