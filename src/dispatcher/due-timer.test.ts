import assert from 'node:assert/strict';
import { test } from 'node:test';
import { systemClock } from '../domain/clock.ts';
import { createDueTimer } from './due-timer.ts';

/** How long `sleep()` took, in ms, with `during` run once the sleep has begun. */
async function timed(
  timer: ReturnType<typeof createDueTimer>,
  during: () => void = () => {},
): Promise<number> {
  const started = Date.now();
  const slept = timer.sleep();
  during();
  await slept;
  return Date.now() - started;
}

test('a due time lowered while sleeping ends the sleep then, not at the idle limit', async () => {
  const timer = createDueTimer({ clock: systemClock, maxIdleMs: 5000 });
  const took = await timed(timer, () => {
    timer.dueBy(Date.now() + 400);
    timer.dueBy(Date.now() + 100);
    timer.dueBy(Date.now() + 300); // later than what is known: ignored
  });
  assert.ok(took >= 95 && took < 1000, `slept ${took} ms`);
});

test('with nothing due the sleep lasts the idle limit; a wake-up ends it at once', async () => {
  const timer = createDueTimer({ clock: systemClock, maxIdleMs: 150 });
  const idle = await timed(timer);
  assert.ok(idle >= 145 && idle < 1000, `slept ${idle} ms`);
  const woken = await timed(timer, () => setTimeout(() => timer.wake(), 20));
  assert.ok(woken < 140, `slept ${woken} ms after a wake-up at 20 ms`);
});

test('what is learnt before the sleep counts; reset forgets it', async () => {
  const timer = createDueTimer({ clock: systemClock, maxIdleMs: 150 });
  timer.wake(); // while the loop was busy: its next sleep must not wait
  assert.ok((await timed(timer)) < 50);
  timer.dueBy(Date.now() - 1); // already due
  assert.ok((await timed(timer)) < 50);
  timer.dueBy(Date.now() - 1);
  timer.reset();
  assert.ok((await timed(timer)) >= 145);
});
