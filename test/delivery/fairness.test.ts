// Fair delivery across tenants: one application's endpoints that never answer must not hold
// up another application's healthy endpoint, even on the same origin (one receiving host).
// The running loop on the real clock, on SQLite and (HERALD_TEST_DATABASE=postgres)
// PostgreSQL.
import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { client } from '../helpers/client.ts';
import { startReceiver } from '../helpers/receiver.ts';
import { createTestApp } from '../helpers/test-app.ts';

/**
 * The longest timeout the test's server allows (HERALD_MAX_TIMEOUT_SECONDS), which A's
 * endpoints use. B's share does not depend on how long A's requests hang (A's
 * endpoints hold a slot or two each, whatever their timeout), so a short one keeps the test
 * short while B's stream still runs through A's first timeouts and retries.
 */
const maxTimeoutSeconds = 3;
const hangingEndpoints = 20;

/** Waits until `done()` holds, checking every 10 ms, or fails after `ms`. */
async function waitUntil(done: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) assert.fail(`${what}: not within ${ms} ms`);
    await sleep(10);
  }
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

/**
 * A's endpoints hang while B publishes a steady stream; B's p99 must stay within 1 s of its
 * p99 alone. `maxInFlight`: the dispatcher's slots (by default 256).
 */
async function hangingNeighbour(ctx: TestContext, maxInFlight?: number): Promise<void> {
  const t = await createTestApp({
    realTime: true,
    config: { maxTimeoutSeconds, timeoutSeconds: maxTimeoutSeconds },
    ...(maxInFlight ? { maxInFlight } : {}),
  });
  /** Publish-to-arrival times of B's messages, by sequence number. */
  const latencies = new Map<number, number>();
  let hangs = 0;
  const receiver = await startReceiver((request) => {
    if (request.path.startsWith('/hang/')) {
      hangs++;
      return 'hang';
    }
    const { seq, sentAt } = JSON.parse(request.body) as { seq: number; sentAt: number };
    latencies.set(seq, Date.now() - sentAt);
    return { status: 200 };
  });
  const origin = new URL(receiver.url).origin;
  try {
    const { api } = client(t);
    const appA = await api<{ id: string }>('POST', '/app', { name: 'A, never answers' });
    const appB = await api<{ id: string }>('POST', '/app', { name: 'B, healthy' });
    await api('POST', `/app/${appB.id}/endpoint`, { url: `${origin}/ok` });

    let seq = 0;
    /** Publishes `count` messages to B, one every `gapMs`, and returns their latencies. */
    const streamB = async (count: number, gapMs: number) => {
      const first = seq;
      for (let i = 0; i < count; i++) {
        await api('POST', `/app/${appB.id}/msg`, {
          eventType: 'b.tick',
          payload: { seq: seq++, sentAt: Date.now() },
        });
        await sleep(gapMs);
      }
      await waitUntil(
        () => latencies.size === seq,
        30_000,
        `B's ${count} messages delivered (${latencies.size - first} arrived)`,
      );
      return [...latencies].filter(([n]) => n >= first).map(([, ms]) => ms);
    };

    // Normal: B alone.
    const normal = await streamB(40, 25);

    // A: endpoints that never answer, at the longest timeout allowed, with more deliveries
    // than they could ever take at once.
    for (let i = 0; i < hangingEndpoints; i++) {
      await api('POST', `/app/${appA.id}/endpoint`, {
        url: `${origin}/hang/${i}`,
        policy: { timeoutSeconds: maxTimeoutSeconds },
      });
    }
    for (let i = 0; i < 25; i++)
      await api('POST', `/app/${appA.id}/msg`, { eventType: 'a.load', payload: { i } });
    // Alone, A may hold all the slots but an eighth.
    const held = Math.min(hangingEndpoints, maxInFlight ? maxInFlight - maxInFlight / 8 : Infinity);
    await waitUntil(() => hangs >= held, 5000, `A holding ${held} requests`);

    // B again, for longer than A's timeout: through A's first timeouts and its retries.
    const withA = await streamB(160, 25);

    const normalP99 = percentile(normal, 99);
    const withAP99 = percentile(withA, 99);
    ctx.diagnostic(
      `B alone: p50 ${percentile(normal, 50)} ms, p99 ${normalP99} ms; with A hanging: p50 ${percentile(withA, 50)} ms, p99 ${withAP99} ms`,
    );
    assert.ok(
      withAP99 <= normalP99 + 1000,
      `B's p99 ${withAP99} ms with A hanging, against ${normalP99} ms alone (p50 ${percentile(withA, 50)} against ${percentile(normal, 50)} ms)`,
    );
  } finally {
    await t.close();
    await receiver.close();
  }
}

test('20 hanging endpoints of one application do not delay another application on the same origin', (ctx) =>
  hangingNeighbour(ctx));

// A alone takes every slot it may (its endpoints start with 2 requests each, 40 in all, and
// there are 16 slots): those it must leave free are B's.
test('an application whose hanging requests could take every slot still leaves some to another', (ctx) =>
  hangingNeighbour(ctx, 16));
