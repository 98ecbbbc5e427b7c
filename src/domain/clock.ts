// Time and randomness arrive as dependencies so tests can drive them.
import { randomBytes } from 'node:crypto';

export type Clock = { now(): number };

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that moves only when told to: for tests of schedules and expiry. */
export function fakeClock(start = Date.parse('2026-01-01T00:00:00Z')) {
  let current = start;
  return {
    now: () => current,
    advance(ms: number) {
      current += ms;
    },
    set(ms: number) {
      current = ms;
    },
  };
}

export type Random = {
  /** A float in [0, 1). */
  float(): number;
  bytes(n: number): Buffer;
};

// Small reads come from a pool refilled 4 kB at a time: one call into the CSPRNG per ~250 ids
// instead of one per id. Every byte is handed out once.
let pool = Buffer.alloc(0);
let used = 0;

export const systemRandom: Random = {
  float: () => Math.random(),
  bytes: (n) => {
    if (n > 256) return randomBytes(n);
    if (used + n > pool.length) {
      pool = randomBytes(4096);
      used = 0;
    }
    used += n;
    return pool.subarray(used - n, used);
  },
};
