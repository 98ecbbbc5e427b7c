// When the idle dispatcher wakes: at the earliest time work is known to fall due. The loop
// learns it from the queue before it sleeps, and every producer of due work lowers it while
// the loop sleeps (an attempt recorded with its next try, a delivery taken at publish whose
// lease may run out, a deferral to a throttle slot), which re-arms the sleep. A wake-up
// (publish, resend, recover, re-enable, another node's notice) ends it at once, so the loop
// looks at the queue again. `maxIdleMs` bounds every sleep, as a safety net only.
import type { Clock } from '../domain/clock.ts';

export type DueTimer = ReturnType<typeof createDueTimer>;

export function createDueTimer(deps: { clock: Clock; maxIdleMs: number }) {
  /** The earliest known due time (epoch ms); -Infinity after a wake-up: due now. */
  let dueAt = Number.POSITIVE_INFINITY;
  let sleeping: { until: number; timer: NodeJS.Timeout | undefined; end: () => void } | null = null;

  const end = () => {
    const current = sleeping;
    if (!current) return;
    sleeping = null;
    clearTimeout(current.timer);
    current.end();
  };

  /** (Re-)arms the sleeping loop's timer for the earliest of its deadline and `dueAt`. */
  const arm = () => {
    if (!sleeping) return;
    clearTimeout(sleeping.timer);
    const delay = Math.min(dueAt, sleeping.until) - deps.clock.now();
    if (delay <= 0) {
      end();
      return;
    }
    sleeping.timer = setTimeout(end, delay);
  };

  return {
    /** Work falls due at `at` (epoch ms): the sleep ends by then. */
    dueBy(at: number): void {
      if (at >= dueAt) return;
      dueAt = at;
      arm();
    },

    /** Something is due now, or may be (the caller does not know when): end the sleep. */
    wake(): void {
      dueAt = Number.NEGATIVE_INFINITY;
      end();
    },

    /** Forgets what is known: the loop is about to look at the queue itself. */
    reset(): void {
      dueAt = Number.POSITIVE_INFINITY;
    },

    /** Sleeps until the earliest known due time, a wake-up, or `maxIdleMs`, whichever is first. */
    sleep(): Promise<void> {
      end();
      return new Promise((resolve) => {
        sleeping = { until: deps.clock.now() + deps.maxIdleMs, timer: undefined, end: resolve };
        arm();
      });
    },
  };
}
