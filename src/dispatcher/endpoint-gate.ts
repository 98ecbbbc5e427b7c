// Per-endpoint limits inside one worker: at most `concurrency` requests in flight to an
// endpoint (its throttle rate is kept in the store, across workers). A slow endpoint whose
// lane is full is reported saturated, so its further deliveries go back to the queue instead
// of holding the worker's capacity: one slow or dead endpoint cannot hold up the others.

type Lane = {
  inFlight: number;
  waiting: (() => void)[];
  /** Moving average of request durations, in ms. */
  averageMs: number;
};

/** An endpoint answering slower than this on average is slow. */
const slowMs = 250;

export type EndpointGate = ReturnType<typeof createEndpointGate>;

export function createEndpointGate(options: { concurrency: number }) {
  const lanes = new Map<string, Lane>();
  const lane = (id: string): Lane => {
    let l = lanes.get(id);
    if (!l) {
      l = { inFlight: 0, waiting: [], averageMs: 0 };
      lanes.set(id, l);
    }
    return l;
  };

  return {
    /** A slow endpoint with a full lane and requests waiting: send it nothing more for now. */
    saturated(endpointId: string): boolean {
      const l = lanes.get(endpointId);
      return l !== undefined && l.waiting.length >= options.concurrency && l.averageMs > slowMs;
    },

    /**
     * Waits for a concurrency slot; call the returned function with the request's duration
     * when it is done.
     */
    async acquire(endpointId: string): Promise<(durationMs: number) => void> {
      const l = lane(endpointId);
      if (l.inFlight >= options.concurrency) {
        await new Promise<void>((resolve) => l.waiting.push(resolve));
      }
      l.inFlight++;
      return (durationMs) => {
        l.averageMs = l.averageMs === 0 ? durationMs : l.averageMs * 0.9 + durationMs * 0.1;
        l.inFlight--;
        const next = l.waiting.shift();
        if (next) next();
        else if (l.inFlight === 0 && l.averageMs <= slowMs) {
          lanes.delete(endpointId);
        }
      };
    },
  };
}
