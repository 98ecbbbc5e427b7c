import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type AttemptOutcome,
  defaultRetrySchedule,
  exponentialSchedule,
  type NextAttemptPlan,
  parseHttpDate,
  parseRetrySchedule,
  planNextAttempt,
  type RetrySchedule,
  retryAfterMs,
} from './retry-plan.ts';

const schedule = parseRetrySchedule('5,300,1800,7200,18000,36000,36000');
const now = Date.parse('2026-01-01T00:00:00Z');
const failure: AttemptOutcome = { kind: 'failure', statusCode: 500 };

function plan(overrides: Partial<Parameters<typeof planNextAttempt>[0]> = {}): NextAttemptPlan {
  return planNextAttempt({
    attemptNumber: 1,
    outcome: failure,
    now,
    random: () => 0.5,
    schedule,
    ...overrides,
  });
}

/** Seconds from `now` to the planned retry; fails the test for any other plan. */
function waitOf(result: NextAttemptPlan, from = now): number {
  assert.equal(result.action, 'retry', `expected a retry, got ${JSON.stringify(result)}`);
  return result.action === 'retry' ? (result.at - from) / 1000 : Number.NaN;
}

test('the default schedule: attempts 1 to 7 wait exactly the schedule, attempt 8 gives up', () => {
  assert.deepEqual(schedule, defaultRetrySchedule);
  let clock = now;
  const waits: number[] = [];
  for (let attempt = 1; attempt <= 7; attempt++) {
    const next = plan({ attemptNumber: attempt, now: clock });
    waits.push(waitOf(next, clock));
    if (next.action === 'retry') clock = next.at;
  }
  assert.deepEqual(waits, [5, 300, 1800, 7200, 18000, 36000, 36000]);
  assert.equal((clock - now) / 1000, 99_305, 'the eighth attempt is about 27.6 h after the first');
  assert.deepEqual(plan({ attemptNumber: 8, now: clock }), { action: 'give-up' });
  assert.deepEqual(plan({ attemptNumber: 9 }), { action: 'give-up' });
});

test('a failure without any response (timeout, refused) retries like a 5xx', () => {
  assert.equal(waitOf(plan({ attemptNumber: 2, outcome: { kind: 'failure' } })), 300);
});

test('jitter: ±20 % by default, uniform over random()', () => {
  assert.equal(waitOf(plan({ attemptNumber: 2, random: () => 0 })), 240, 'random 0 → −20 %');
  const high = waitOf(plan({ attemptNumber: 2, random: () => 0.999_999_9 }));
  assert.ok(high > 359.99 && high <= 360, `random ≈ 1 → +20 %, got ${high}`);
  assert.equal(waitOf(plan({ attemptNumber: 2, random: () => 0.25 })), 270);
  for (let i = 0; i < 200; i++) {
    const wait = waitOf(plan({ attemptNumber: 3, random: () => i / 200 }));
    assert.ok(wait >= 1440 && wait <= 2160, `${wait} outside 1800 s ± 20 %`);
  }
  assert.equal(waitOf(plan({ attemptNumber: 2, random: () => 0, jitter: 0 })), 300, 'no jitter');
  assert.equal(waitOf(plan({ attemptNumber: 2, random: () => 0, jitter: 0.5 })), 150);
});

test('success is done and 410 disables the endpoint, whatever the attempt', () => {
  for (const attemptNumber of [1, 7, 8, 40]) {
    assert.deepEqual(plan({ attemptNumber, outcome: { kind: 'success' } }), { action: 'done' });
    assert.deepEqual(plan({ attemptNumber, outcome: { kind: 'failure', statusCode: 410 } }), {
      action: 'disable-endpoint',
    });
  }
});

test('Retry-After on 429/503 is honoured in seconds or as an HTTP date when longer', () => {
  const throttled = (statusCode: number, retryAfter: string) =>
    waitOf(plan({ outcome: { kind: 'failure', statusCode, retryAfter } }));
  assert.equal(throttled(429, '120'), 120);
  assert.equal(throttled(503, ' 120 '), 120, 'surrounding spaces are tolerated');
  assert.equal(throttled(503, new Date(now + 600_000).toUTCString()), 600, 'IMF-fixdate');
  assert.equal(throttled(429, 'Thursday, 01-Jan-26 00:10:00 GMT'), 600, 'RFC 850 date');
  assert.equal(throttled(429, 'Thu Jan  1 00:10:00 2026'), 600, 'asctime date');
  assert.equal(throttled(429, '1'), 5, 'never sooner than the schedule');
  assert.equal(throttled(429, '0'), 5);
  assert.equal(throttled(500, '120'), 5, 'ignored on other statuses');
  assert.equal(throttled(502, '120'), 5);
  for (const junk of ['soon', '', '-5', '1.5', '12abc', 'Thu, 32 Jan 2026 00:00:00 GMT']) {
    assert.equal(throttled(429, junk), 5, `unparseable ${JSON.stringify(junk)} is ignored`);
  }
  // The Retry-After delay stands alone: no jitter on top of what the receiver asked for.
  assert.equal(
    waitOf(
      plan({ random: () => 0.99, outcome: { kind: 'failure', statusCode: 429, retryAfter: '60' } }),
    ),
    60,
  );
});

test('Retry-After is clamped to [0, retryAfterMaxSeconds]', () => {
  const throttled = (retryAfter: string, retryAfterMaxSeconds?: number) =>
    waitOf(
      plan({
        attemptNumber: 1,
        outcome: { kind: 'failure', statusCode: 429, retryAfter },
        retryAfterMaxSeconds,
      }),
    );
  assert.equal(throttled('999999'), 3600, 'capped at an hour by default');
  assert.equal(throttled(new Date(now + 86_400_000).toUTCString()), 3600, 'a far date too');
  assert.equal(throttled('999999', 600), 600, 'a configured bound');
  assert.equal(throttled('100', 60), 60);
  assert.equal(throttled('100', 0), 5, 'a zero bound leaves the schedule alone');
  assert.equal(throttled(new Date(now - 3_600_000).toUTCString()), 5, 'a past date counts as 0');
  // A long scheduled wait is never shortened by a bounded Retry-After.
  assert.equal(
    waitOf(
      plan({ attemptNumber: 5, outcome: { kind: 'failure', statusCode: 503, retryAfter: '60' } }),
    ),
    18000,
  );
});

test('Retry-After parsing', () => {
  assert.equal(retryAfterMs(undefined, now), null);
  assert.equal(retryAfterMs('30', now), 30_000);
  assert.equal(retryAfterMs('Thu, 01 Jan 2026 00:00:30 GMT', now), 30_000);
  assert.equal(retryAfterMs('Wed, 31 Dec 2025 23:00:00 GMT', now), 0);
  assert.equal(
    parseHttpDate('Sun, 06 Nov 1994 08:49:37 GMT', now),
    Date.UTC(1994, 10, 6, 8, 49, 37),
  );
  assert.equal(
    parseHttpDate('Sunday, 06-Nov-94 08:49:37 GMT', now),
    Date.UTC(1994, 10, 6, 8, 49, 37),
  );
  assert.equal(parseHttpDate('Sun Nov  6 08:49:37 1994', now), Date.UTC(1994, 10, 6, 8, 49, 37));
  assert.equal(parseHttpDate('Saturday, 01-Jan-50 00:00:00 GMT', now), Date.UTC(2050, 0, 1));
  assert.equal(parseHttpDate('Saturday, 01-Jan-77 00:00:00 GMT', now), Date.UTC(1977, 0, 1));
  for (const bad of [
    '2026-01-01T00:10:00Z',
    'Sun, 06 Nov 1994 08:49:37 +0200',
    'Sun, 06 Nov 1994 25:00:00 GMT',
    'Sun, 29 Feb 2026 00:00:00 GMT',
    'Sun, 06 Foo 1994 08:49:37 GMT',
    '1',
  ]) {
    assert.equal(parseHttpDate(bad, now), null, bad);
  }
});

test('parseRetrySchedule accepts whole seconds and refuses anything else clearly', () => {
  assert.deepEqual(parseRetrySchedule('0'), [0]);
  assert.deepEqual(parseRetrySchedule(' 60 , 300,3600 '), [60, 300, 3600]);
  assert.throws(() => parseRetrySchedule(''), /at least one wait/);
  assert.throws(() => parseRetrySchedule('   '), /at least one wait/);
  assert.throws(() => parseRetrySchedule('5, x'), /item 2 of "5, x" is "x"/);
  assert.throws(() => parseRetrySchedule('5,,300'), /item 2 .* is empty/);
  assert.throws(() => parseRetrySchedule('5,300,'), /item 3 .* is empty/);
  for (const bad of ['-5', '1.5', '1e3', '0x10', '5;300', '5 300', '99999999999999999999']) {
    assert.throws(() => parseRetrySchedule(bad), /comma-separated whole seconds/, bad);
  }
});

test('exponentialSchedule: growing, capped, rounded', () => {
  assert.deepEqual(
    exponentialSchedule({ retries: 5, initialSeconds: 10, factor: 2, maxSeconds: 100 }),
    [10, 20, 40, 80, 100],
  );
  assert.deepEqual(
    exponentialSchedule({ retries: 4, initialSeconds: 30, factor: 1.5, maxSeconds: 1000 }),
    [30, 45, 68, 101],
  );
  assert.deepEqual(
    exponentialSchedule({ retries: 0, initialSeconds: 30, factor: 2, maxSeconds: 60 }),
    [],
  );
  assert.deepEqual(
    exponentialSchedule({ retries: 3, initialSeconds: 60, factor: 1, maxSeconds: 60 }),
    [60, 60, 60],
  );

  // Fourvenues-style: 40 retries (41 attempts) with growing backoff, then failed.
  const fourvenues: RetrySchedule = exponentialSchedule({
    retries: 40,
    initialSeconds: 30,
    factor: 1.5,
    maxSeconds: 10_800,
  });
  assert.equal(fourvenues.length, 40);
  assert.equal(fourvenues[0], 30);
  assert.equal(fourvenues.at(-1), 10_800);
  for (let i = 1; i < fourvenues.length; i++) {
    assert.ok((fourvenues[i] ?? 0) >= (fourvenues[i - 1] ?? 0), `wait ${i} shrank`);
  }
  const after40 = planNextAttempt({
    attemptNumber: 41,
    outcome: failure,
    now,
    random: () => 0.5,
    schedule: fourvenues,
  });
  assert.deepEqual(after40, { action: 'give-up' });
  assert.equal(waitOf(plan({ attemptNumber: 40, schedule: fourvenues })), 10_800);

  const base = { retries: 3, initialSeconds: 10, factor: 2, maxSeconds: 100 };
  assert.throws(() => exponentialSchedule({ ...base, retries: -1 }), /retries/);
  assert.throws(() => exponentialSchedule({ ...base, retries: 2.5 }), /retries/);
  assert.throws(() => exponentialSchedule({ ...base, initialSeconds: -1 }), /initialSeconds/);
  assert.throws(() => exponentialSchedule({ ...base, factor: 0.5 }), /factor/);
  assert.throws(() => exponentialSchedule({ ...base, maxSeconds: 5 }), /maxSeconds/);
});

test('invalid planner input is refused', () => {
  assert.throws(() => plan({ attemptNumber: 0 }), /1-based/);
  assert.throws(() => plan({ attemptNumber: 1.5 }), /1-based/);
  assert.throws(() => plan({ jitter: -0.1 }), /jitter/);
  assert.throws(() => plan({ jitter: 1.5 }), /jitter/);
  assert.throws(() => plan({ jitter: Number.NaN }), /jitter/);
  assert.throws(() => plan({ retryAfterMaxSeconds: -1 }), /retryAfterMaxSeconds/);
});
