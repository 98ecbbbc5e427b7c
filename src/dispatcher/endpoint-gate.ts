// Per-endpoint limits inside one worker (its throttle rate is kept in the store, across
// workers). Each endpoint has a lane with a limit of requests in flight that follows its
// answers: an endpoint may hold about `budgetMs` of requests per second, so 16 at once
// while it answers within 250 ms, 4 at 1 s and 1 from 4 s on; a timeout halves the limit at
// once, and every answer lets it grow back by one. A new lane starts small and grows with
// each answer (an endpoint earns its share by answering), so an endpoint that never answers
// holds a slot or two, not a growing share of the worker.
//
// Deliveries beyond a lane's limit may wait in the lane only while the endpoint is proven
// fast; otherwise the lane is full, and they go back to the queue (and claims skip the
// endpoint) instead of holding the worker's capacity for a timeout's length.

type Lane = {
  limit: number;
  inFlight: number;
  /** When each request in flight started (performance.now()). */
  started: number[];
  waiting: (() => void)[];
  /** Moving average of answer times, in ms; 0 before the first answer. */
  averageMs: number;
};

/** Request time an endpoint may hold per second of wall time, in ms. */
const budgetMs = 4000;
/** A lane whose answers, or whose oldest request in flight, take longer than this is slow. */
const slowMs = 250;
/** The limit of a lane that has not answered yet. */
const initialLimit = 2;
/** Idle lanes kept for what they learnt (a shrunk limit), at most. */
const maxIdleLanes = 10_000;

export type EndpointGate = ReturnType<typeof createEndpointGate>;

/** What a delivery to an endpoint may do now: start, wait in its lane, or go back. */
export type LaneRoom = 'start' | 'wait' | 'full';

export function createEndpointGate(options: {
  /** The most requests in flight to one endpoint, however fast it answers. */
  concurrency: number;
  now?: () => number;
}) {
  const max = Math.max(1, options.concurrency);
  const now = options.now ?? (() => performance.now());
  const lanes = new Map<string, Lane>();
  /** Lanes with requests in flight or waiting. */
  const active = new Set<string>();

  const lane = (id: string): Lane => {
    let l = lanes.get(id);
    if (!l) {
      if (lanes.size >= maxIdleLanes) evictIdle();
      l = {
        limit: Math.min(max, initialLimit),
        inFlight: 0,
        started: [],
        waiting: [],
        averageMs: 0,
      };
      lanes.set(id, l);
    }
    return l;
  };

  function evictIdle(): void {
    for (const id of lanes.keys()) {
      if (lanes.size < maxIdleLanes / 2) return;
      if (!active.has(id)) lanes.delete(id);
    }
  }

  /** Moves the lane's limit after an answer (or a timeout) that took `durationMs`. */
  function learn(l: Lane, durationMs: number, timedOut: boolean): void {
    l.averageMs = l.averageMs === 0 ? durationMs : l.averageMs * 0.7 + durationMs * 0.3;
    const target = Math.max(1, Math.min(max, Math.floor(budgetMs / l.averageMs)));
    if (timedOut) l.limit = Math.max(1, Math.floor(l.limit / 2));
    else if (l.limit < target) l.limit++;
    else l.limit = target;
  }

  /** Counts a request in flight in the lane; returns when it started. */
  function take(l: Lane): number {
    const at = now();
    l.inFlight++;
    l.started.push(at);
    return at;
  }

  /** Answers fast, and nothing in flight is taking long. */
  const provenFast = (l: Lane): boolean =>
    l.averageMs > 0 && l.averageMs <= slowMs && (l.started[0] ?? now()) > now() - slowMs;

  function room(endpointId: string): LaneRoom {
    const l = lanes.get(endpointId);
    if (!l || l.inFlight + l.waiting.length < l.limit) return 'start';
    return provenFast(l) ? 'wait' : 'full';
  }

  return {
    room,

    /** Whether a delivery to this endpoint would have to go back to the queue now. */
    full: (endpointId: string): boolean => room(endpointId) === 'full',

    /** The endpoints whose deliveries would go back now: claims skip them. */
    fullEndpoints(): string[] {
      const ids: string[] = [];
      for (const id of active) if (room(id) === 'full') ids.push(id);
      return ids;
    },

    /** The lane's limit now (for tests and metrics). */
    limitOf: (endpointId: string): number => lanes.get(endpointId)?.limit ?? initialLimit,

    /**
     * Waits for a slot in the endpoint's lane; call the returned function when the exchange is
     * over, with its duration and whether it timed out (a null duration: nothing was sent).
     */
    async acquire(
      endpointId: string,
    ): Promise<(durationMs: number | null, timedOut: boolean) => void> {
      const l = lane(endpointId);
      active.add(endpointId);
      // A waiter is handed its slot, already counted, by the release that frees it.
      const startedAt =
        l.inFlight < l.limit
          ? take(l)
          : await new Promise<number>((resolve) => l.waiting.push(() => resolve(take(l))));
      return (durationMs, timedOut) => {
        l.inFlight--;
        l.started.splice(l.started.indexOf(startedAt), 1);
        if (durationMs !== null) learn(l, Math.max(1, durationMs), timedOut);
        while (l.inFlight < l.limit && l.waiting.length > 0) l.waiting.shift()?.();
        // An idle lane stays (until many lanes are), so what it learnt holds next time.
        if (l.inFlight === 0 && l.waiting.length === 0) active.delete(endpointId);
      };
    },
  };
}
