// What the sender tests share: receivers, retries driven under the fake clock, spacing.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mock } from 'node:test';
import type { TestApp } from './test-app.ts';

/** Starts a receiver server on 127.0.0.1 and returns its base URL. */
export async function listen(server: Server, scheme: 'http' | 'https' = 'http'): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`;
}

export function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Runs every due delivery, then moves the fake clock to the next one, `steps` times. */
export async function driveRetries(t: TestApp, steps: number): Promise<void> {
  for (let i = 0; i < steps; i++) {
    await t.dispatcher.runDue();
    const next = await t.store.queue.nextDueAt();
    if (next === null) return;
    t.clock.set(Math.max(next, t.clock.now()));
  }
  await t.dispatcher.runDue();
}

export const noJitter = { float: () => 0.5, bytes: (n: number) => randomBytes(n) };

/**
 * Verifier libraries check signature timestamps against Date.now(): keep Date on the fake
 * clock for the rest of the test (undo with `mock.timers.reset()`).
 */
export function syncDateWithClock(t: TestApp): void {
  mock.timers.enable({ apis: ['Date'], now: t.clock.now() });
  const { advance, set } = t.clock;
  t.clock.advance = (ms: number) => {
    advance(ms);
    mock.timers.setTime(t.clock.now());
  };
  t.clock.set = (ms: number) => {
    set(ms);
    mock.timers.setTime(t.clock.now());
  };
}

/** Waits until `done()` holds, looking every 20 ms; fails after `ms`. */
export async function waitFor(
  what: string,
  done: () => boolean | Promise<boolean>,
  ms: number,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await done())) {
    if (Date.now() > deadline) assert.fail(`${what}: not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** How late an attempt may be after its due time on an idle server. */
export const onTimeMs = 1000;

/**
 * Real-time retries: attempts at these times (epoch ms) waited the schedule's seconds
 * between them (no jitter), and none came more than `onTimeMs` after it was due.
 */
export function assertSpacing(times: number[], waitsSeconds: number[]): void {
  assert.equal(times.length, waitsSeconds.length + 1, 'one attempt, then one per wait');
  for (const [i, wait] of waitsSeconds.entries()) {
    const gap = (times[i + 1] ?? 0) - (times[i] ?? 0);
    assert.ok(gap >= wait * 1000 - 20, `attempt ${i + 2} came ${gap} ms after the one before`);
    assert.ok(gap <= wait * 1000 + onTimeMs, `attempt ${i + 2} came ${gap - wait * 1000} ms late`);
  }
}

/**
 * Keeps the calling receiver from answering for `ms`: the example receivers answer
 * synchronously in the test's own process, so a slow answer means blocking that process,
 * which every clock that measures the exchange still sees.
 */
export function answerSlowly(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
