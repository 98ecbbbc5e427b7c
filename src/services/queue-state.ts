// The queue's state (pending, due, oldest due, endpoints disabled), read from the store for
// health checks and metrics. A reading is shared for `maxAgeMs`, so frequent probes and
// scrapes cost one count at most per period, whatever their number.
import type { Clock } from '../domain/clock.ts';
import type { QueueStats } from '../store/queue.ts';
import type { Store } from '../store/store.ts';

export type QueueState = {
  /** The queue now, or as read at most `maxAgeMs` ago. */
  read(): Promise<QueueStats & { readAt: number }>;
};

export function createQueueState(deps: {
  store: Store;
  clock: Clock;
  maxAgeMs?: number;
}): QueueState {
  const maxAgeMs = deps.maxAgeMs ?? 1000;
  let last: (QueueStats & { readAt: number }) | null = null;
  let reading: Promise<QueueStats & { readAt: number }> | null = null;
  return {
    read() {
      const now = deps.clock.now();
      if (last && now - last.readAt < maxAgeMs) return Promise.resolve(last);
      reading ??= deps.store.queue
        .stats(now)
        .then((stats) => {
          last = { ...stats, readAt: now };
          return last;
        })
        .finally(() => {
          reading = null;
        });
      return reading;
    },
  };
}
