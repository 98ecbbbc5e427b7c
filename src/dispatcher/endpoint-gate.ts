// Per-endpoint limits inside one worker: at most `concurrency` requests in flight to an
// endpoint, and no more than its throttle rate (messages per second). One slow or dead
// endpoint therefore cannot hold up the others.
import type { Clock } from '../domain/clock.ts';

type Lane = {
  inFlight: number;
  waiting: (() => void)[];
  /** Earliest time the next request may start under the throttle rate. */
  nextSlotAt: number;
};

export type EndpointGate = ReturnType<typeof createEndpointGate>;

export function createEndpointGate(options: { concurrency: number; clock: Clock }) {
  const lanes = new Map<string, Lane>();
  const lane = (id: string): Lane => {
    let l = lanes.get(id);
    if (!l) {
      l = { inFlight: 0, waiting: [], nextSlotAt: 0 };
      lanes.set(id, l);
    }
    return l;
  };

  return {
    /** How many requests wait for or hold a slot of this endpoint. */
    load(endpointId: string): number {
      const l = lanes.get(endpointId);
      return l ? l.inFlight + l.waiting.length : 0;
    },

    /** When the next request to this endpoint may start under its throttle rate. */
    nextStart(endpointId: string, ratePerSecond: number | null, now: number): number {
      if (!ratePerSecond || ratePerSecond <= 0) return now;
      return Math.max(now, lanes.get(endpointId)?.nextSlotAt ?? 0);
    },

    /** Takes the throttle slot that starts now. */
    take(endpointId: string, ratePerSecond: number | null, now: number): void {
      if (!ratePerSecond || ratePerSecond <= 0) return;
      const l = lane(endpointId);
      l.nextSlotAt = Math.max(now, l.nextSlotAt) + 1000 / ratePerSecond;
    },

    /** Waits for a concurrency slot; call the returned function when the request is done. */
    async acquire(endpointId: string): Promise<() => void> {
      const l = lane(endpointId);
      if (l.inFlight >= options.concurrency) {
        await new Promise<void>((resolve) => l.waiting.push(resolve));
      }
      l.inFlight++;
      return () => {
        l.inFlight--;
        const next = l.waiting.shift();
        if (next) next();
        else if (l.inFlight === 0 && l.nextSlotAt <= options.clock.now()) lanes.delete(endpointId);
      };
    },
  };
}
