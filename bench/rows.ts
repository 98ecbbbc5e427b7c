// The benchmark's rows. Each one starts what it needs, measures, and cleans up. Throughput
// rows measure a process in its steady state: after a warm-up of the same work, timed to
// the moment every attempt is recorded in the database (the delivery rows also give the
// rate from the spawn of the delivering `herald serve` process, start-up included).
import { DatabaseSync } from 'node:sqlite';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { Pool } from 'undici';
import { defaultPerEndpointConcurrency } from '../src/dispatcher/dispatcher.ts';
import {
  attemptCounter,
  body1k,
  Client,
  type HeraldSetup,
  herald,
  heraldEnv,
  MachineMeter,
  ownCpuUs,
  ProcessMeter,
  percentile,
  type Receiver,
  reached,
  recorded,
  StallProbe,
  setupApp,
  wallNow,
} from './harness.ts';

export type Sizes = {
  messages: number;
  /**
   * Operations each throughput row runs before it measures: a fresh process reaches its
   * steady cost per request only after some 20,000 requests (its hot code is compiled by
   * then), the load generator's own undici client as much as Herald.
   */
  warmup: number;
  latencySeconds: number;
  latencyWarmupSeconds: number;
  backlog: number;
};

export type Measure = {
  value: number;
  unit: string;
  peakRssMb?: number;
  cpuUsPerDelivery?: number;
  /** CPU µs per operation of the receiver, of the load generator, and of the whole machine. */
  receiverUs?: number;
  generatorUs?: number;
  machineUs?: number;
  /** The rate over that of the row's comparison run (a row measured against another). */
  against?: number;
  /** The same figure without the row's disturbance (fairness: B's p99 alone). */
  baseline?: number;
  /** Deliveries attempted more than once (two nodes on one queue). */
  duplicates?: number;
  /** CPU µs per delivery of each node, where several share the queue. */
  nodeCpuUs?: number[];
  detail?: string;
  /**
   * Attempts the row's queue needs (one per delivery, its receiver answering 200 to every
   * one) and those recorded in the database once its node has stopped.
   */
  attempts?: { expected: number; recorded: number };
};

const msgPath = (app: string) => `/api/v1/app/${app}/msg`;
const perSecond = (count: number, ms: number) => count / (Math.max(ms, 1) / 1000);
const rate = (n: number) => Math.round(n).toLocaleString('en-US');
const us = (n: number) => `${Math.round(n)} µs`;

/** The detail of a row measured over `messages` after `warmup` of the same. */
const afterWarmup = (sizes: Sizes) =>
  `${rate(sizes.messages)} messages after ${rate(sizes.warmup)} of warm-up`;

/** The message every load publishes (the same 1 KB payload each time). */
const loadBody = { eventType: 'bench.load', payload: body1k() };

/** What answering requests cost the receiver, from `reset()` (or `now()`) on. */
class ReceiverMeter {
  private readonly receiver: Receiver;
  private startUs = 0;
  private startCount = 0;

  private constructor(receiver: Receiver) {
    this.receiver = receiver;
  }

  /** Resets the receiver's count and starts measuring. */
  static async reset(receiver: Receiver): Promise<ReceiverMeter> {
    await receiver.reset();
    return ReceiverMeter.now(receiver);
  }

  /** Starts measuring from here, the count left as it is (the end of a warm-up). */
  static async now(receiver: Receiver): Promise<ReceiverMeter> {
    const meter = new ReceiverMeter(receiver);
    const stats = await receiver.stats();
    meter.startUs = stats.cpuUs;
    meter.startCount = stats.count;
    return meter;
  }

  /** CPU µs per request answered since the start. */
  async usPerRequest(): Promise<number> {
    const stats = await this.receiver.stats();
    return (stats.cpuUs - this.startUs) / Math.max(stats.count - this.startCount, 1);
  }
}

/** `count` raw undici Pool.request POSTs of the same 1 KB body. */
async function rawPosts(
  receiver: Receiver,
  count: number,
  connections: number,
  inFlight: number,
): Promise<{ rate: number; senderUs: number; receiverUs: number; machineUs: number }> {
  const answering = await ReceiverMeter.reset(receiver);
  const machine = new MachineMeter();
  const sender = ownCpuUs();
  const pool = new Pool(new URL(receiver.url).origin, { connections });
  const body = JSON.stringify(body1k());
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next++ < count) {
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
  const senderUs = (ownCpuUs() - sender) / count;
  machine.stop();
  await pool.close();
  return {
    rate: count / (elapsed / 1000),
    senderUs,
    receiverUs: await answering.usPerRequest(),
    machineUs: machine.busyUs() / count,
  };
}

/**
 * Raw undici POSTs to the same receiver, after a warm-up: what this machine can send at all.
 * Two ways, the faster counts: 64 in flight over 32 connections, and 16 over 16 (one
 * endpoint's cap in Herald, the most a single endpoint is ever sent at once). Neither is
 * always the faster on a shared machine, and a ceiling taken from the slower would flatter
 * every ratio.
 */
export async function ceiling(receiver: Receiver, sizes: Sizes): Promise<Measure> {
  // A warm-up first: the load generator's own code is compiled in its first tens of
  // thousands of requests, and a cold first pass would understate what the machine can send.
  if (sizes.warmup > 0) await rawPosts(receiver, sizes.warmup, 32, 64);
  const wide = await rawPosts(receiver, sizes.messages, 32, 64);
  const cap = defaultPerEndpointConcurrency;
  const capped = await rawPosts(receiver, sizes.messages, cap, cap);
  const best = capped.rate > wide.rate ? capped : wide;
  return {
    value: best.rate,
    unit: 'req/s',
    // What sending alone costs: the load generator's CPU per request.
    cpuUsPerDelivery: best.senderUs,
    receiverUs: best.receiverUs,
    machineUs: best.machineUs,
    detail: `sending costs ${us(best.senderUs)} and answering ${us(best.receiverUs)} per request; ${rate(wide.rate)} req/s at 64 in flight over 32 connections, ${rate(capped.rate)} at ${cap} over ${cap} (one endpoint's cap in Herald)`,
  };
}

/**
 * Deliveries of a node from its spawn: the first `warmup` attempts recorded are its warm-up,
 * the rest up to `total` are measured (rate, CPU per delivery of Herald, of the receiver and
 * of the whole machine); peak RSS covers the whole run. The detail also gives the rate from
 * the spawn, start-up and warm-up included.
 */
async function steadyDeliveries(
  node: { pid: number },
  counter: { count(): Promise<number> },
  receiver: Receiver,
  spawned: number,
  warmup: number,
  total: number,
): Promise<Measure> {
  const meter = new ProcessMeter(node.pid);
  // Without a warm-up, from the spawn: a poll of the count might already find deliveries done.
  const warm = warmup > 0 ? await reached(counter, warmup, 600_000) : { at: spawned, count: 0 };
  meter.restartCpu();
  const machine = new MachineMeter();
  const answering = await ReceiverMeter.now(receiver);
  await receiver.waitFor(total, 600_000);
  const done = await recorded(counter, total, 600_000);
  meter.stop();
  machine.stop();
  const measured = total - warm.count;
  return {
    value: perSecond(measured, done - warm.at),
    unit: 'deliveries/s',
    peakRssMb: meter.peakRssMb,
    cpuUsPerDelivery: (meter.cpuMs() * 1000) / measured,
    receiverUs: await answering.usPerRequest(),
    machineUs: machine.busyUs() / measured,
    detail: `${rate(measured)} deliveries after ${rate(warm.count)} of warm-up; from the spawn, start-up and warm-up included, ${rate(perSecond(total, done - spawned))}/s`,
  };
}

/**
 * Fetches `GET /metrics` at once and then every `everyMs` until stopped (at most 100,000
 * times), as a Prometheus server would.
 */
function scrapeMetrics(baseUrl: string, everyMs: number) {
  let count = 0;
  let failed = 0;
  let totalMs = 0;
  const scrape = async () => {
    const started = performance.now();
    try {
      const response = await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(10_000) });
      await response.text();
      if (response.status !== 200) failed++;
    } catch {
      failed++;
    }
    totalMs += performance.now() - started;
    count++;
  };
  // The first at once (a short run may be over within one interval), then every `everyMs`.
  let busy: Promise<void> = scrape();
  const timer = setInterval(() => {
    if (count < 100_000) busy = busy.then(scrape);
  }, everyMs);
  return {
    async stop(): Promise<{ count: number; failed: number; meanMs: number }> {
      clearInterval(timer);
      await busy;
      return { count, failed, meanMs: totalMs / Math.max(count, 1) };
    },
  };
}

/**
 * The cost of being scraped: fan-out 1 delivered twice, without and then with `GET /metrics`
 * fetched every second; the value is the scraped run's rate, the detail compares the two.
 */
export async function scrapedDelivery(
  receiver: Receiver,
  sizes: Sizes,
  setup: HeraldSetup,
): Promise<Measure> {
  const scraped = () => delivery(receiver, sizes, 1, { ...setup, scrapeEveryMs: 1000 });
  // A profiled run's figures are left out: only the scraped node's profile is wanted.
  if (setup.profileDir) return scraped();
  const plain = await delivery(receiver, sizes, 1, setup);
  const withScrapes = await scraped();
  const change = (withScrapes.value / plain.value - 1) * 100;
  const cpu = (m: Measure) => us(m.cpuUsPerDelivery ?? Number.NaN);
  return {
    ...withScrapes,
    against: withScrapes.value / plain.value,
    detail: `unscraped ${rate(plain.value)}/s at ${cpu(plain)} per delivery, scraped every second ${rate(withScrapes.value)}/s at ${cpu(withScrapes)} (${change >= 0 ? '+' : ''}${change.toFixed(1)} %); scraped run: ${withScrapes.detail}`,
  };
}

/** Messages pre-loaded with the worker held back, then delivered by a fresh `herald serve`. */
export async function delivery(
  receiver: Receiver,
  sizes: Sizes,
  fanOut: number,
  setup: HeraldSetup,
): Promise<Measure> {
  const { env, cleanup, dbPath } = heraldEnv(setup);
  const messages = Math.max(1, Math.ceil((sizes.warmup + sizes.messages) / fanOut));
  const total = messages * fanOut;
  const counter = attemptCounter(setup, dbPath);
  try {
    const api = await herald(env, 'api');
    const client = new Client(api.url);
    const app = await setupApp(client, receiver.url, fanOut);
    await client.load(messages, 16, () => [msgPath(app), loadBody]);
    await client.close();
    await api.kill('SIGTERM');
    await receiver.reset();
    const spawned = wallNow();
    const node = await herald(env, 'all', setup.profileDir);
    const ready = wallNow();
    const scraper = setup.scrapeEveryMs ? scrapeMetrics(node.url, setup.scrapeEveryMs) : null;
    const m = await steadyDeliveries(node, counter, receiver, spawned, sizes.warmup, total);
    const scraped = await scraper?.stop();
    await node.kill('SIGTERM');
    const scrapes = scraped
      ? `; /metrics scraped ${scraped.count} times (${scraped.failed} failed), ${scraped.meanMs.toFixed(1)} ms each on average`
      : '';
    return {
      ...m,
      detail: `${m.detail}; start-up ${Math.round(ready - spawned)} ms${scrapes}`,
      attempts: { expected: total, recorded: await counter.count() },
    };
  } finally {
    await counter.close();
    cleanup();
  }
}

/** How many attempts a node has recorded, from its own `GET /metrics` (open on loopback). */
async function attemptsOf(nodeUrl: string): Promise<number> {
  const text = await (await fetch(`${nodeUrl}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n'))
    if (line.startsWith('herald_attempts_total{')) sum += Number(line.split(' ').at(-1));
  return sum;
}

/**
 * Two nodes on one PostgreSQL schema deliver a pre-loaded queue (fan-out 1): after their
 * first `warmup` attempts together, timed until every attempt is recorded. The value is the
 * rate of both; the row also counts deliveries attempted more than once (the receiver answers
 * 200 at once, so any is a duplicate) and each node's CPU per delivery of its own.
 */
export async function twoNodes(
  receiver: Receiver,
  sizes: Sizes,
  setup: HeraldSetup,
): Promise<Measure> {
  const { env, cleanup, dbPath } = heraldEnv(setup);
  const total = sizes.warmup + sizes.messages;
  const counter = attemptCounter(setup, dbPath);
  try {
    const api = await herald(env, 'api');
    const client = new Client(api.url);
    const app = await setupApp(client, receiver.url, 1);
    await client.load(total, 16, () => [msgPath(app), loadBody]);
    await client.close();
    await api.kill('SIGTERM');
    await receiver.reset();
    const spawned = wallNow();
    const nodes = await Promise.all([
      herald(env, 'all', setup.profileDir),
      herald(env, 'all', setup.profileDir),
    ]);
    const meters = nodes.map((node) => new ProcessMeter(node.pid));
    // Without a warm-up (a smoke run), from the spawn.
    const warm =
      sizes.warmup > 0 ? await reached(counter, sizes.warmup, 600_000) : { at: spawned, count: 0 };
    for (const meter of meters) if (sizes.warmup > 0) meter.restartCpu();
    const before =
      sizes.warmup > 0 ? await Promise.all(nodes.map((node) => attemptsOf(node.url))) : [0, 0];
    const machine = new MachineMeter();
    await receiver.waitFor(total, 600_000);
    const done = await recorded(counter, total, 600_000);
    for (const meter of meters) meter.stop();
    machine.stop();
    const after = await Promise.all(nodes.map((node) => attemptsOf(node.url)));
    await Promise.all(nodes.map((node) => node.kill('SIGTERM')));
    const made = after.map((n, i) => n - (before[i] ?? 0));
    const nodeCpuUs = meters.map((m, i) => (m.cpuMs() * 1000) / Math.max(made[i] ?? 0, 1));
    const measured = made.reduce((a, b) => a + b, 0);
    const duplicates = await counter.duplicates();
    return {
      value: perSecond(measured, done - warm.at),
      unit: 'deliveries/s',
      peakRssMb: Math.max(...meters.map((m) => m.peakRssMb)),
      cpuUsPerDelivery: (meters.reduce((a, m) => a + m.cpuMs(), 0) * 1000) / measured,
      machineUs: machine.busyUs() / measured,
      duplicates,
      nodeCpuUs,
      detail: `${rate(measured)} deliveries after ${rate(warm.count)} of warm-up, ${made.map((n, i) => `node ${i + 1} ${rate(n)} at ${us(nodeCpuUs[i] ?? Number.NaN)}`).join(', ')}; ${duplicates} attempted more than once`,
    };
  } finally {
    await counter.close();
    cleanup();
  }
}

/**
 * Publishing and delivering at once, from the first publish to the last attempt recorded,
 * after a warm-up of the same (published and delivered before the measured load starts).
 */
export async function endToEnd(
  receiver: Receiver,
  sizes: Sizes,
  setup: HeraldSetup,
): Promise<Measure> {
  const { env, cleanup, dbPath } = heraldEnv(setup);
  const counter = attemptCounter(setup, dbPath);
  try {
    const node = await herald(env, 'all', setup.profileDir);
    const client = new Client(node.url);
    const app = await setupApp(client, receiver.url, 1);
    const meter = new ProcessMeter(node.pid);
    await client.load(sizes.warmup, 16, () => [msgPath(app), loadBody]);
    await recorded(counter, sizes.warmup, 600_000);
    meter.restartCpu();
    const answering = await ReceiverMeter.reset(receiver);
    const machine = new MachineMeter();
    const started = wallNow();
    const generator = ownCpuUs();
    await client.load(sizes.messages, 16, () => [msgPath(app), loadBody]);
    const generatorUs = ownCpuUs() - generator;
    await receiver.waitFor(sizes.messages, 600_000);
    const done = await recorded(counter, sizes.warmup + sizes.messages, 600_000);
    meter.stop();
    machine.stop();
    await client.close();
    await node.kill('SIGTERM');
    const attempts = { expected: sizes.warmup + sizes.messages, recorded: await counter.count() };
    return {
      attempts,
      value: perSecond(sizes.messages, done - started),
      unit: 'msgs/s',
      peakRssMb: meter.peakRssMb,
      cpuUsPerDelivery: (meter.cpuMs() * 1000) / sizes.messages,
      receiverUs: await answering.usPerRequest(),
      generatorUs: generatorUs / sizes.messages,
      machineUs: machine.busyUs() / sizes.messages,
      detail: afterWarmup(sizes),
    };
  } finally {
    await counter.close();
    cleanup();
  }
}

/**
 * Messages accepted over HTTP, each durably stored before its 202, nothing to deliver;
 * measured after a warm-up of the same.
 */
export async function ingest(sizes: Sizes, setup: HeraldSetup): Promise<Measure> {
  const { env, cleanup } = heraldEnv(setup);
  try {
    const node = await herald(env, 'all', setup.profileDir);
    const client = new Client(node.url, 32);
    const app = await setupApp(client, null, 0);
    const meter = new ProcessMeter(node.pid);
    await client.load(sizes.warmup, 32, () => [msgPath(app), loadBody]);
    meter.restartCpu();
    const machine = new MachineMeter();
    const generator = ownCpuUs();
    const elapsed = await client.load(sizes.messages, 32, () => [msgPath(app), loadBody]);
    const generatorUs = ownCpuUs() - generator;
    meter.stop();
    machine.stop();
    await client.close();
    await node.kill('SIGTERM');
    return {
      value: sizes.messages / (elapsed / 1000),
      unit: 'msgs/s',
      peakRssMb: meter.peakRssMb,
      cpuUsPerDelivery: (meter.cpuMs() * 1000) / sizes.messages,
      generatorUs: generatorUs / sizes.messages,
      machineUs: machine.busyUs() / sizes.messages,
      detail: afterWarmup(sizes),
    };
  } finally {
    cleanup();
  }
}

/** Publishes at a fixed rate for `seconds`; each payload carries its send time. */
async function publishAtRate(
  client: Client,
  app: string,
  seconds: number,
  perSecond = 1000,
): Promise<void> {
  const total = seconds * perSecond;
  const started = performance.now();
  const sends: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const wait = started + (i * 1000) / perSecond - performance.now();
    if (wait > 1) await sleep(wait);
    sends.push(
      client.postLean(msgPath(app), {
        eventType: 'bench.latency',
        payload: { sentAt: wallNow(), data: 'x'.repeat(1000) },
      }),
    );
  }
  await Promise.all(sends);
}

/**
 * Publish-to-receiver latency at a fixed 1,000 messages/s, after a warm-up at the same rate
 * (a fresh process compiles its hot code in its first seconds). Enough keep-alive
 * connections that no publish waits for a free one on the client side. The detail splits
 * the tail by stage (read from the database) and says how often an idle process on the same
 * machine was stalled past the 5 ms target meanwhile.
 */
export async function latency(
  receiver: Receiver,
  sizes: Sizes,
  setup: HeraldSetup,
): Promise<Measure & { p50: number; p95: number }> {
  const { env, cleanup, dbPath } = heraldEnv(setup);
  const counter = attemptCounter(setup, dbPath);
  const probe = await StallProbe.start();
  try {
    const node = await herald(env, 'all', setup.profileDir);
    const client = new Client(node.url, 64);
    const app = await setupApp(client, receiver.url, 1);
    const warmup = sizes.latencyWarmupSeconds * 1000;
    // Counted from zero: arrivals left over from an earlier row would end the warm-up early
    // and let its last messages into the measurement.
    await receiver.reset();
    await publishAtRate(client, app, sizes.latencyWarmupSeconds);
    await receiver.waitFor(warmup, 60_000);
    await receiver.reset();
    await probe.reset();
    const meter = new ProcessMeter(node.pid);
    const since = Date.now();
    const total = sizes.latencySeconds * 1000;
    await publishAtRate(client, app, sizes.latencySeconds);
    const stats = await receiver.waitFor(total, 60_000);
    const stalls = await probe.stats();
    meter.stop();
    await recorded(counter, warmup + total, 60_000);
    const stages = await counter.stages(since);
    await client.close();
    await node.kill('SIGTERM');
    const attempts = { expected: warmup + total, recorded: await counter.count() };
    const sorted = [...stats.latencies].sort((a, b) => a - b);
    const p99 = (values: number[]) =>
      percentile(
        [...values].sort((a, b) => a - b),
        99,
      );
    return {
      attempts,
      value: percentile(sorted, 99),
      unit: 'ms p99',
      p50: percentile(sorted, 50),
      p95: percentile(sorted, 95),
      peakRssMb: meter.peakRssMb,
      cpuUsPerDelivery: (meter.cpuMs() * 1000) / total,
      detail: [
        `${sorted.length} samples after ${sizes.latencyWarmupSeconds} s of warm-up; max ${percentile(sorted, 100).toFixed(1)} ms`,
        `p99 by stage: send to stored ${p99(stages.stored).toFixed(0)} ms, stored to attempt start ${p99(stages.queued)} ms, attempt exchange ${p99(stages.exchange)} ms`,
        `an idle process was stalled ≥ 5 ms ${stalls.stalls} times in ${stalls.seconds.toFixed(0)} s (${stalls.lateMs.toFixed(0)} ms in all, longest ${stalls.maxMs.toFixed(1)} ms)`,
      ].join('; '),
    };
  } finally {
    await probe.stop();
    await counter.close();
    cleanup();
  }
}

/**
 * Fair delivery: the publish-to-arrival latency of application B's healthy endpoint at 50
 * messages/s, alone and then while 20 endpoints of application A on the same receiver (one
 * origin) never answer, at the longest timeout the server allows, with 1,000 deliveries
 * waiting for them. The value is B's p99 with A; `baseline`, B's p99 alone.
 */
export async function fairness(
  receiver: Receiver,
  sizes: Sizes,
  setup: HeraldSetup,
): Promise<Measure & { baseline: number }> {
  // A's requests hang for the whole measurement (a smoke run is too short to wait for more).
  const timeoutSeconds = sizes.warmup === 0 ? 5 : 60;
  const { env, cleanup } = heraldEnv({
    ...setup,
    settings: {
      HERALD_MAX_TIMEOUT_SECONDS: String(timeoutSeconds),
      HERALD_TIMEOUT_SECONDS: String(Math.min(15, timeoutSeconds)),
      ...setup.settings,
    },
  });
  const perSecond = 50;
  const seconds = Math.max(2, sizes.latencySeconds);
  const hanging = 20;
  try {
    const node = await herald(env, 'all', setup.profileDir);
    const meter = new ProcessMeter(node.pid);
    const client = new Client(node.url, 16);
    const appB = await setupApp(client, receiver.url, 1);
    /** B's latencies over one stream of `seconds`, sorted. */
    const streamB = async () => {
      await receiver.reset();
      await publishAtRate(client, appB, seconds, perSecond);
      const stats = await receiver.waitFor(seconds * perSecond, 60_000);
      return [...stats.latencies].sort((a, b) => a - b);
    };
    const alone = await streamB();
    const appA = (await client.post('/api/v1/app', { name: 'bench hanging' })).body.id;
    const origin = new URL(receiver.url).origin;
    for (let i = 0; i < hanging; i++) {
      await client.post(`/api/v1/app/${appA}/endpoint`, {
        url: `${origin}/hang/${i}`,
        policy: { timeoutSeconds },
      });
    }
    await receiver.reset();
    for (let i = 0; i < 50; i++)
      await client.postLean(msgPath(appA), { eventType: 'bench.hang', payload: { i } });
    const deadline = Date.now() + 10_000;
    while ((await receiver.stats()).hung < hanging && Date.now() < deadline) await sleep(20);
    const withA = await streamB();
    meter.stop();
    await client.close();
    // A's requests still hang: the node lets them run out its 10 s of grace.
    await node.kill('SIGTERM');
    const p = (sorted: number[], q: number) => percentile(sorted, q).toFixed(1);
    return {
      value: percentile(withA, 99),
      unit: 'ms p99',
      baseline: percentile(alone, 99),
      peakRssMb: meter.peakRssMb,
      detail: [
        `B alone: p50 ${p(alone, 50)} ms, p99 ${p(alone, 99)} ms`,
        `with A's ${hanging} endpoints hanging (timeout ${timeoutSeconds} s, ${hanging * 50} deliveries): p50 ${p(withA, 50)} ms, p99 ${p(withA, 99)} ms`,
        `${alone.length} and ${withA.length} of ${seconds * perSecond} messages arrived (within 60 s of the last publish) at ${perSecond}/s`,
      ].join('; '),
    };
  } finally {
    cleanup();
  }
}

/** The id of the application's endpoint, read straight from the database. */
async function firstEndpoint(setup: HeraldSetup, dbPath: string, app: string): Promise<string> {
  if (setup.databaseUrl?.startsWith('postgres')) {
    const client = new pg.Client({ connectionString: setup.databaseUrl });
    await client.connect();
    try {
      const result = await client.query(
        `SELECT id FROM "${setup.schema ?? 'public'}".endpoints WHERE app_id = $1`,
        [app],
      );
      return (result.rows[0] as { id: string }).id;
    } finally {
      await client.end();
    }
  }
  const db = new DatabaseSync(dbPath);
  try {
    return (db.prepare('SELECT id FROM endpoints WHERE app_id = ?').get(app) as { id: string }).id;
  } finally {
    db.close();
  }
}

/** `count` pending deliveries of 1 KB messages, written in one transaction. */
async function writeBacklog(
  setup: HeraldSetup,
  dbPath: string,
  { app, endpoint, count }: { app: string; endpoint: string; count: number },
): Promise<void> {
  const payload = JSON.stringify(body1k());
  const now = Date.now();
  if (setup.databaseUrl?.startsWith('postgres')) {
    const client = new pg.Client({ connectionString: setup.databaseUrl });
    await client.connect();
    const schema = `"${setup.schema ?? 'public'}"`;
    const id = "'msg_BENCH' || lpad(i::text, 21, '0')";
    try {
      await client.query('BEGIN');
      await client.query(
        `INSERT INTO ${schema}.messages (id, app_id, event_type, payload, created_at) SELECT ${id}, $1, 'bench.backlog', $2, $3 FROM generate_series(0, $4 - 1) AS i`,
        [app, payload, now, count],
      );
      await client.query(
        `INSERT INTO ${schema}.deliveries (msg_id, endpoint_id, app_id, status, next_attempt_at, created_at, updated_at) SELECT ${id}, $1, $2, 1, $3, $3, $3 FROM generate_series(0, $4 - 1) AS i`,
        [endpoint, app, now, count],
      );
      await client.query('COMMIT');
    } finally {
      await client.end();
    }
    return;
  }
  const db = new DatabaseSync(dbPath);
  const insertMessage = db.prepare(
    "INSERT INTO messages (id, app_id, event_type, payload, created_at) VALUES (?, ?, 'bench.backlog', ?, ?)",
  );
  const insertDelivery = db.prepare(
    'INSERT INTO deliveries (msg_id, endpoint_id, app_id, status, next_attempt_at, created_at, updated_at) VALUES (?, ?, ?, 1, ?, ?, ?)',
  );
  db.exec('BEGIN');
  for (let i = 0; i < count; i++) {
    const id = `msg_BENCH${String(i).padStart(21, '0')}`;
    insertMessage.run(id, app, payload, now);
    insertDelivery.run(id, endpoint, app, now, now, now);
  }
  db.exec('COMMIT');
  db.close();
}

/** Delivery with a large pending backlog, written straight into the store. */
export async function backlog(
  receiver: Receiver,
  sizes: Sizes,
  setup: HeraldSetup = {},
): Promise<Measure> {
  const { env, cleanup, dbPath } = heraldEnv(setup);
  const counter = attemptCounter(setup, dbPath);
  try {
    const api = await herald(env, 'api');
    const client = new Client(api.url);
    const app = await setupApp(client, receiver.url, 1);
    await client.close();
    await api.kill('SIGTERM');
    const endpoint = await firstEndpoint(setup, dbPath, app);
    await writeBacklog(setup, dbPath, { app, endpoint, count: sizes.backlog });
    await receiver.reset();
    const total = Math.min(sizes.warmup + sizes.messages, sizes.backlog);
    const spawned = wallNow();
    const node = await herald(env, 'all', setup.profileDir);
    const m = await steadyDeliveries(node, counter, receiver, spawned, sizes.warmup, total);
    await node.kill('SIGTERM');
    // The node is stopped once `total` are recorded; the rest of the backlog stays pending.
    return {
      ...m,
      detail: `${m.detail}; ${rate(sizes.backlog)} pending at the start`,
      attempts: { expected: total, recorded: await counter.count() },
    };
  } finally {
    await counter.close();
    cleanup();
  }
}
