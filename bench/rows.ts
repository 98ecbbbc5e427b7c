// The benchmark's rows. Each one starts what it needs, measures, and cleans up.
import { DatabaseSync } from 'node:sqlite';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import {
  body1k,
  Client,
  type HeraldSetup,
  herald,
  heraldEnv,
  ProcessMeter,
  percentile,
  type Receiver,
  setupApp,
} from './harness.ts';

export type Sizes = { messages: number; latencySeconds: number; backlog: number };

export type Measure = {
  value: number;
  unit: string;
  peakRssMb?: number;
  cpuUsPerDelivery?: number;
  detail?: string;
};

const msgPath = (app: string) => `/api/v1/app/${app}/msg`;

/** Raw undici Pool.request POSTs of the same 1 KB body to the same receiver. */
export async function ceiling(receiver: Receiver, sizes: Sizes): Promise<Measure> {
  await receiver.reset();
  const pool = new Pool(new URL(receiver.url).origin, { connections: 32 });
  const body = JSON.stringify(body1k());
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (next++ < sizes.messages) {
        const r = await pool.request({
          method: 'POST',
          path: '/hook',
          body,
          headers: { 'content-type': 'application/json' },
        });
        await r.body.dump();
      }
    }),
  );
  const elapsed = performance.now() - started;
  await pool.close();
  return { value: sizes.messages / (elapsed / 1000), unit: 'req/s' };
}

/** Messages pre-loaded with the worker held back, then delivered by a fresh `herald serve`. */
export async function delivery(
  receiver: Receiver,
  sizes: Sizes,
  fanOut: number,
  setup: HeraldSetup,
): Promise<Measure> {
  const { env, cleanup } = heraldEnv(setup);
  const messages = Math.max(1, Math.floor(sizes.messages / fanOut));
  try {
    const api = await herald(env, 'api');
    const client = new Client(api.url);
    const app = await setupApp(client, receiver.url, fanOut);
    await client.load(messages, 16, () => [
      msgPath(app),
      { eventType: 'bench.load', payload: body1k() },
    ]);
    await client.close();
    await api.kill('SIGTERM');
    await receiver.reset();
    const node = await herald(env, 'all');
    const meter = new ProcessMeter(node.pid);
    const stats = await receiver.waitFor(messages * fanOut, 600_000);
    meter.stop();
    await node.kill('SIGTERM');
    const seconds = (stats.lastAt - stats.firstAt) / 1000;
    return {
      value: stats.count / Math.max(seconds, 0.001),
      unit: 'deliveries/s',
      peakRssMb: meter.peakRssMb,
      cpuUsPerDelivery: (meter.cpuMs() * 1000) / stats.count,
      detail: `${stats.count} deliveries`,
    };
  } finally {
    cleanup();
  }
}

/** Publishing and delivering at once. */
export async function endToEnd(
  receiver: Receiver,
  sizes: Sizes,
  setup: HeraldSetup,
): Promise<Measure> {
  const { env, cleanup } = heraldEnv(setup);
  try {
    const node = await herald(env, 'all');
    const client = new Client(node.url);
    const app = await setupApp(client, receiver.url, 1);
    await receiver.reset();
    const meter = new ProcessMeter(node.pid);
    const started = performance.timeOrigin + performance.now();
    await client.load(sizes.messages, 16, () => [
      msgPath(app),
      { eventType: 'bench.load', payload: body1k() },
    ]);
    const stats = await receiver.waitFor(sizes.messages, 600_000);
    meter.stop();
    await client.close();
    await node.kill('SIGTERM');
    return {
      value: stats.count / ((stats.lastAt - started) / 1000),
      unit: 'msgs/s',
      peakRssMb: meter.peakRssMb,
      cpuUsPerDelivery: (meter.cpuMs() * 1000) / stats.count,
    };
  } finally {
    cleanup();
  }
}

/** Messages accepted over HTTP, nothing to deliver. */
export async function ingest(sizes: Sizes, setup: HeraldSetup): Promise<Measure> {
  const { env, cleanup } = heraldEnv(setup);
  try {
    const node = await herald(env, 'all');
    const client = new Client(node.url, 32);
    const app = await setupApp(client, null, 0);
    const meter = new ProcessMeter(node.pid);
    const elapsed = await client.load(sizes.messages, 32, () => [
      msgPath(app),
      { eventType: 'bench.load', payload: body1k() },
    ]);
    meter.stop();
    await client.close();
    await node.kill('SIGTERM');
    return {
      value: sizes.messages / (elapsed / 1000),
      unit: 'msgs/s',
      peakRssMb: meter.peakRssMb,
      cpuUsPerDelivery: (meter.cpuMs() * 1000) / sizes.messages,
    };
  } finally {
    cleanup();
  }
}

/** Publish-to-receiver latency at a fixed 1,000 messages/s. */
export async function latency(
  receiver: Receiver,
  sizes: Sizes,
  setup: HeraldSetup,
): Promise<Measure & { p50: number; p95: number }> {
  const { env, cleanup } = heraldEnv(setup);
  try {
    const node = await herald(env, 'all');
    const client = new Client(node.url, 8);
    const app = await setupApp(client, receiver.url, 1);
    await receiver.reset();
    const meter = new ProcessMeter(node.pid);
    const total = sizes.latencySeconds * 1000;
    const started = performance.now();
    const sends: Promise<unknown>[] = [];
    for (let i = 0; i < total; i++) {
      const due = started + i;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
      sends.push(
        client.post(msgPath(app), {
          eventType: 'bench.latency',
          payload: { sentAt: performance.timeOrigin + performance.now(), data: 'x'.repeat(1000) },
        }),
      );
    }
    await Promise.all(sends);
    const stats = await receiver.waitFor(total, 60_000);
    meter.stop();
    await client.close();
    await node.kill('SIGTERM');
    const sorted = [...stats.latencies].sort((a, b) => a - b);
    return {
      value: percentile(sorted, 99),
      unit: 'ms p99',
      p50: percentile(sorted, 50),
      p95: percentile(sorted, 95),
      peakRssMb: meter.peakRssMb,
      detail: `${sorted.length} samples`,
    };
  } finally {
    cleanup();
  }
}

/** Delivery with a large pending backlog, written straight into the embedded store. */
export async function backlog(receiver: Receiver, sizes: Sizes): Promise<Measure> {
  const { env, cleanup, dbPath } = heraldEnv({});
  try {
    const api = await herald(env, 'api');
    const client = new Client(api.url);
    const app = await setupApp(client, receiver.url, 1);
    await client.close();
    await api.kill('SIGTERM');
    const db = new DatabaseSync(dbPath);
    const endpoint = (
      db.prepare('SELECT id FROM endpoints WHERE app_id = ?').get(app) as { id: string }
    ).id;
    const insertMessage = db.prepare(
      "INSERT INTO messages (id, app_id, event_type, payload, created_at) VALUES (?, ?, 'bench.backlog', ?, ?)",
    );
    const insertDelivery = db.prepare(
      'INSERT INTO deliveries (msg_id, endpoint_id, app_id, status, next_attempt_at, created_at, updated_at) VALUES (?, ?, ?, 1, ?, ?, ?)',
    );
    const payload = JSON.stringify(body1k());
    const now = Date.now();
    db.exec('BEGIN');
    for (let i = 0; i < sizes.backlog; i++) {
      const id = `msg_BENCH${String(i).padStart(21, '0')}`;
      insertMessage.run(id, app, payload, now);
      insertDelivery.run(id, endpoint, app, now, now, now);
    }
    db.exec('COMMIT');
    db.close();
    await receiver.reset();
    const node = await herald(env, 'all');
    const meter = new ProcessMeter(node.pid);
    const measured = Math.min(sizes.messages, sizes.backlog);
    const stats = await receiver.waitFor(measured, 600_000);
    meter.stop();
    await node.kill('SIGTERM');
    return {
      value: stats.count / Math.max((stats.lastAt - stats.firstAt) / 1000, 0.001),
      unit: 'deliveries/s',
      peakRssMb: meter.peakRssMb,
      cpuUsPerDelivery: (meter.cpuMs() * 1000) / stats.count,
      detail: `first ${stats.count} of ${sizes.backlog} pending`,
    };
  } finally {
    cleanup();
  }
}
