import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exponentialSchedule, parseRetrySchedule, planNextAttempt } from './retry-plan.ts';

const schedule = parseRetrySchedule('5,300,1800,7200,18000,36000,36000');
const now = Date.parse('2026-01-01T00:00:00Z');
const failure = { kind: 'failure' as const, statusCode: 500 };

test('the default schedule: 8 attempts, then give up', () => {
  const waits: number[] = [];
  for (let attempt = 1; attempt <= 7; attempt++) {
    const plan = planNextAttempt({
      attemptNumber: attempt,
      outcome: failure,
      now,
      random: () => 0.5,
      schedule,
    });
    assert.equal(plan.action, 'retry');
    if (plan.action === 'retry') waits.push((plan.at - now) / 1000);
  }
  assert.deepEqual(waits, [5, 300, 1800, 7200, 18000, 36000, 36000]);
  assert.deepEqual(
    planNextAttempt({ attemptNumber: 8, outcome: failure, now, random: () => 0.5, schedule }),
    {
      action: 'give-up',
    },
  );
});

test('jitter stays within ±20 %', () => {
  const low = planNextAttempt({
    attemptNumber: 2,
    outcome: failure,
    now,
    random: () => 0,
    schedule,
  });
  const high = planNextAttempt({
    attemptNumber: 2,
    outcome: failure,
    now,
    random: () => 0.999999,
    schedule,
  });
  assert.deepEqual(low, { action: 'retry', at: now + 240_000 });
  assert.ok(high.action === 'retry' && high.at > now + 359_000 && high.at <= now + 360_000);
});

test('success is done; 410 disables the endpoint', () => {
  assert.deepEqual(
    planNextAttempt({
      attemptNumber: 1,
      outcome: { kind: 'success' },
      now,
      random: Math.random,
      schedule,
    }),
    {
      action: 'done',
    },
  );
  assert.deepEqual(
    planNextAttempt({
      attemptNumber: 1,
      outcome: { kind: 'failure', statusCode: 410 },
      now,
      random: Math.random,
      schedule,
    }),
    { action: 'disable-endpoint' },
  );
});

test('Retry-After on 429/503 is honoured when longer, in seconds or as a date, within bounds', () => {
  const plan = (statusCode: number, retryAfter: string) =>
    planNextAttempt({
      attemptNumber: 1,
      outcome: { kind: 'failure', statusCode, retryAfter },
      now,
      random: () => 0.5,
      schedule,
    });
  assert.deepEqual(plan(429, '120'), { action: 'retry', at: now + 120_000 });
  assert.deepEqual(plan(503, new Date(now + 600_000).toUTCString()), {
    action: 'retry',
    at: now + 600_000,
  });
  assert.deepEqual(
    plan(429, '1'),
    { action: 'retry', at: now + 5_000 },
    'never sooner than the schedule',
  );
  assert.deepEqual(
    plan(429, '999999'),
    { action: 'retry', at: now + 3_600_000 },
    'capped at an hour',
  );
  assert.deepEqual(plan(500, '120'), { action: 'retry', at: now + 5_000 }, 'only for 429 and 503');
  assert.deepEqual(plan(429, 'soon'), { action: 'retry', at: now + 5_000 });
});

test('schedules: parsing and exponential backoff', () => {
  assert.throws(() => parseRetrySchedule('5, x'), /comma-separated/);
  assert.deepEqual(
    exponentialSchedule({ retries: 5, initialSeconds: 10, factor: 2, maxSeconds: 100 }),
    [10, 20, 40, 80, 100],
  );
});
