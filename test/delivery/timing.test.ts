// The running loop on the real clock: on an otherwise idle server, work is attempted within
// 1 s of its due time, whatever made it due (a retry recorded while the loop sleeps, a
// deliverAt, a throttle slot). Fake-clock tests never run the loop's timers; these do.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { client } from '../helpers/client.ts';
import { startInProcessHerald } from '../helpers/herald-process.ts';
import { dropSchema, freshSchema, postgresUrl } from '../helpers/postgres.ts';
import { startReceiver } from '../helpers/receiver.ts';
import { createTestApp } from '../helpers/test-app.ts';

const noJitter = { float: () => 0.5, bytes: (n: number) => randomBytes(n) };
/** How late an attempt may be after its due time on an idle server. */
const onTimeMs = 1000;

/** Waits until `done()` holds, checking every 10 ms, or fails after `ms`. */
async function waitUntil(done: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) assert.fail(`${what}: not within ${ms} ms`);
    await sleep(10);
  }
}

/** A receiver that notes when each request arrived. */
async function timedReceiver(status: number) {
  const arrivals: number[] = [];
  const receiver = await startReceiver(() => {
    arrivals.push(Date.now());
    return { status };
  });
  return { receiver, arrivals };
}

const gaps = (times: number[]) => times.slice(1).map((at, i) => at - (times[i] ?? at));

test('retries recorded while the loop sleeps go out within 1 s of their due time', async () => {
  const t = await createTestApp({
    realTime: true,
    random: noJitter,
    config: { retrySchedule: [1, 1, 2] },
  });
  const { receiver, arrivals } = await timedReceiver(500);
  try {
    const api = client(t).api;
    const app = await api<{ id: string }>('POST', '/app', { name: 'idle-retries' });
    await api('POST', `/app/${app.id}/endpoint`, { url: receiver.url });
    const msg = await api<{ id: string }>('POST', `/app/${app.id}/msg`, {
      eventType: 'a.b',
      payload: { n: 1 },
    });
    await waitUntil(() => arrivals.length === 4, 4000 + 3 * onTimeMs + 2000, 'four attempts');
    const waits = gaps(arrivals);
    for (const [i, wait] of [1000, 1000, 2000].entries()) {
      const gap = waits[i] ?? 0;
      assert.ok(gap >= wait - 20, `attempt ${i + 2} came ${gap} ms after the one before: early`);
      assert.ok(gap <= wait + onTimeMs, `attempt ${i + 2} came ${gap - wait} ms late`);
    }
    // The schedule is used up: the delivery fails, and nothing more is sent.
    let status = -1;
    const deadline = Date.now() + 2000;
    while (status !== 2 && Date.now() < deadline) {
      const deliveries = await api<{ data: { status: number }[] }>(
        'GET',
        `/app/${app.id}/msg/${msg.id}/endpoint`,
      );
      status = deliveries.data[0]?.status ?? -1;
      if (status !== 2) await sleep(20);
    }
    assert.equal(status, 2, 'failed once the schedule is used up');
    assert.equal(arrivals.length, 4);
  } finally {
    await t.close();
    await receiver.close();
  }
});

test('a message held with deliverAt goes out within 1 s of that time', async () => {
  const t = await createTestApp({ realTime: true });
  const { receiver, arrivals } = await timedReceiver(200);
  try {
    const api = client(t).api;
    const app = await api<{ id: string }>('POST', '/app', { name: 'deliver-at' });
    await api('POST', `/app/${app.id}/endpoint`, { url: receiver.url });
    const at = Date.now() + 1500;
    await api('POST', `/app/${app.id}/msg`, {
      eventType: 'a.b',
      payload: {},
      deliverAt: new Date(at).toISOString(),
    });
    await waitUntil(() => arrivals.length === 1, 1500 + onTimeMs + 2000, 'the held message');
    const late = (arrivals[0] ?? 0) - at;
    assert.ok(late >= 0, `sent ${-late} ms before its time`);
    assert.ok(late <= onTimeMs, `sent ${late} ms after its time`);
  } finally {
    await t.close();
    await receiver.close();
  }
});

test("a throttled endpoint's deliveries go out as its slots open, not later", async () => {
  const t = await createTestApp({ realTime: true });
  const { receiver, arrivals } = await timedReceiver(200);
  try {
    const api = client(t).api;
    const app = await api<{ id: string }>('POST', '/app', { name: 'throttled' });
    await api('POST', `/app/${app.id}/endpoint`, { url: receiver.url, throttleRate: 1 });
    const published = Date.now();
    for (let i = 0; i < 3; i++)
      await api('POST', `/app/${app.id}/msg`, { eventType: 'a.b', payload: { i } });
    await waitUntil(() => arrivals.length === 3, 2000 + onTimeMs + 2000, 'three messages');
    // Slot k opens 1 s after slot k - 1; the first opens when the first message is claimed.
    for (const [k, at] of arrivals.entries()) {
      const slot = published + k * 1000;
      assert.ok(at >= slot, `message ${k + 1} went out ${slot - at} ms before its slot`);
      assert.ok(at <= slot + onTimeMs, `message ${k + 1} went out ${at - slot} ms after its slot`);
    }
  } finally {
    await t.close();
    await receiver.close();
  }
});

test('a resend goes out at once, not at the next look at the queue', async () => {
  const t = await createTestApp({ realTime: true });
  const { receiver, arrivals } = await timedReceiver(200);
  try {
    const api = client(t).api;
    const app = await api<{ id: string }>('POST', '/app', { name: 'resend' });
    const endpoint = await api<{ id: string }>('POST', `/app/${app.id}/endpoint`, {
      url: receiver.url,
    });
    const msg = await api<{ id: string }>('POST', `/app/${app.id}/msg`, {
      eventType: 'a.b',
      payload: {},
    });
    await waitUntil(() => arrivals.length === 1, 3000, 'the first send');
    const asked = Date.now();
    await api(
      'POST',
      `/app/${app.id}/msg/${msg.id}/endpoint/${endpoint.id}/resend`,
      undefined,
      202,
    );
    await waitUntil(() => arrivals.length === 2, onTimeMs + 2000, 'the resend');
    const late = (arrivals[1] ?? 0) - asked;
    assert.ok(late <= onTimeMs, `the resend went out ${late} ms after it was asked for`);
  } finally {
    await t.close();
    await receiver.close();
  }
});

test('herald serve with HERALD_RETRY_SCHEDULE=1,1,1: each retry within 1 s of its due time', async () => {
  // The program as `herald serve` wires it, on the store the suite runs on.
  const onPostgres = process.env.HERALD_TEST_DATABASE === 'postgres';
  const schema = onPostgres ? freshSchema() : undefined;
  const herald = await startInProcessHerald({
    retrySchedule: [1, 1, 1],
    allowedSubnets: ['127.0.0.0/8'],
    ...(schema ? { databaseUrl: postgresUrl, databaseSchema: schema } : {}),
  });
  const { receiver, arrivals } = await timedReceiver(500);
  try {
    const call = async <T>(path: string, body: unknown): Promise<T> => {
      const response = await fetch(`${herald.url}/api/v1${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${herald.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      assert.ok(response.status < 300, `${path}: ${response.status}`);
      return (await response.json()) as T;
    };
    const app = await call<{ id: string }>('/app', { name: 'serve' });
    await call(`/app/${app.id}/endpoint`, { url: receiver.url });
    await call(`/app/${app.id}/msg`, { eventType: 'a.b', payload: {} });
    // ±20 % jitter on each 1 s wait, and at most 1 s late.
    await waitUntil(() => arrivals.length === 4, 3 * (1200 + onTimeMs) + 2000, 'four attempts');
    for (const [i, gap] of gaps(arrivals).entries()) {
      assert.ok(gap >= 800 - 20, `attempt ${i + 2} came ${gap} ms after the one before`);
      assert.ok(gap <= 1200 + onTimeMs, `attempt ${i + 2} came ${gap} ms after the one before`);
    }
  } finally {
    await herald.close();
    await receiver.close();
    if (schema) await dropSchema(schema);
  }
});
