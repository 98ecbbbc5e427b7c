// The dispatcher: claims due deliveries in batches under a lease, sends them with bounded
// concurrency (overall, per application and per endpoint: see capacity.ts and
// endpoint-gate.ts), records every attempt, plans the next try, and keeps endpoint health.
// It wakes on publish and sleeps until the next delivery is due, a time every producer of due
// work can move earlier (see due-timer.ts).
import { setTimeout as sleep } from 'node:timers/promises';
import type { Application } from '../domain/application.ts';
import type { Clock, Random } from '../domain/clock.ts';
import type { DeliveryPolicy, PolicyLimits, ServerDefaults } from '../domain/delivery-policy.ts';
import type { Endpoint } from '../domain/endpoint.ts';
import type { IdGenerator } from '../domain/ids.ts';
import type { HttpClient } from '../outbound/request.ts';
import type { ClaimedDelivery, LoadedEndpoint, QueuedMessage } from '../store/queue.ts';
import type { Store } from '../store/store.ts';
import { createAttempter } from './attempt.ts';
import { createCapacity } from './capacity.ts';
import { createDueTimer } from './due-timer.ts';
import { createEndpointGate } from './endpoint-gate.ts';
import { createEndpointHealth, type OperationalEventSink } from './endpoint-health.ts';
import type { DispatcherObserver, DispatcherState } from './observer.ts';
import { createDispatchOffer, type DispatchOffer } from './offer.ts';
import { createRequestBuilder } from './prepare-request.ts';
import { createSkipList } from './skip-list.ts';

export type DispatcherSettings = {
  retrySchedule: readonly number[];
  signatureHeaders: 'standard' | 'svix';
  timeoutSeconds: number;
  /** An endpoint failing with no success for this many hours is disabled. */
  failureWindowHours: number;
  /** What the operator lets delivery policies set; stored policies are held within them. */
  limits?: PolicyLimits;
  batchSize?: number;
  maxInFlight?: number;
  perEndpointConcurrency?: number;
  /**
   * Longest sleep when nothing is known to be due (a safety net: whatever makes work due
   * wakes the loop or moves its wake-up earlier).
   */
  maxIdleMs?: number;
  /**
   * How long a finished attempt's record may wait for a transaction to ride on (a publish's,
   * or other records') before it gets one of its own.
   */
  recordLingerMs?: number;
  /**
   * Payload bytes held by attempts in flight, at most (about): large payloads lower the
   * number of deliveries claimed at once, so memory stays bounded whatever their size.
   */
  maxInFlightBytes?: number;
};

export type DispatcherDeps = {
  store: Store;
  clock: Clock;
  random: Random;
  newId: IdGenerator;
  http: HttpClient;
  settings: DispatcherSettings;
  events?: OperationalEventSink;
  log?: { error(obj: unknown, msg: string): void };
  /** Told of every recorded attempt (metrics, logs). */
  observer?: DispatcherObserver;
};

export type Dispatcher = ReturnType<typeof createDispatcher>;

/** Requests in flight to one endpoint at most, unless the settings say otherwise. */
export const defaultPerEndpointConcurrency = 16;

export function createDispatcher(deps: DispatcherDeps) {
  const { store, clock, settings } = deps;
  const batchSize = settings.batchSize ?? 200;
  const maxInFlight = settings.maxInFlight ?? 256;
  const perEndpoint = settings.perEndpointConcurrency ?? defaultPerEndpointConcurrency;
  const maxIdleMs = settings.maxIdleMs ?? 30_000;
  const maxInFlightBytes = settings.maxInFlightBytes ?? 32 * 1024 * 1024;
  // Long enough for an attempt (at most its timeout) and its recording, with room to spare.
  const leaseMsFor = (timeoutSeconds: number) => timeoutSeconds * 2000 + 10_000;
  const leaseMs = leaseMsFor(settings.timeoutSeconds);
  const gate = createEndpointGate({ concurrency: perEndpoint });
  const health = createEndpointHealth({
    store,
    clock,
    events: deps.events,
  });
  const defaults: ServerDefaults = {
    signatureHeaders: settings.signatureHeaders,
    timeoutSeconds: settings.timeoutSeconds,
    retrySchedule: settings.retrySchedule,
    failureWindowHours: settings.failureWindowHours,
    ...(settings.limits ? { limits: settings.limits } : {}),
  };
  const requests = createRequestBuilder(defaults);
  /**
   * When a delivery to this endpoint, claimed now, must stay leased until: a claim's lease
   * covers the server's timeout, and a policy may set a longer one.
   */
  const leaseEndFor = (endpoint: Endpoint, appPolicy: DeliveryPolicy | null, now: number) =>
    now + Math.max(leaseMs, leaseMsFor(requests.policyOf(endpoint, appPolicy).timeoutSeconds));

  const capacity = createCapacity({ maxInFlight, maxInFlightBytes });
  const skips = createSkipList({ gate, capacity, now: () => clock.now() });
  const running = new Set<Promise<void>>();
  /**
   * Attempts whose exchange is over and whose record is not yet committed, that gave their
   * slot back: their payloads stay in memory until then, so they have a budget of their own,
   * as large as the one of attempts in flight.
   */
  const recording = { count: 0, bytes: 0 };
  // A finished attempt's record waits a few milliseconds for a transaction to ride on, with
  // the others finishing meanwhile: the receiver already has its request, and a commit costs
  // as much as dozens of rows.
  const recordLingerMs = settings.recordLingerMs ?? 5;
  const due = createDueTimer({ clock, maxIdleMs });
  const attempt = createAttempter({
    store,
    clock,
    random: deps.random,
    newId: deps.newId,
    http: deps.http,
    requests,
    health,
    observer: deps.observer,
    recordLingerMs,
    dueBy: (at) => due.dueBy(at),
  });
  /** Ends the wait of a loop that is waiting for room (every slot taken). */
  let roomWaiter: (() => void) | null = null;
  /**
   * The loop is waiting for attempts to finish because every slot was taken, or an
   * application alone holds all it may: it claims again once half the slots are free.
   */
  let full = false;
  let stopping = false;
  /** Set by stop(): deliveries still waiting for an endpoint slot go back to the queue. */
  let releasing = false;
  let loopDone: Promise<void> | null = null;
  let unsubscribe = () => {};
  let lastTickAt: number | null = null;
  /** The last sleep was ended by room freed, not by the clock or new work. */
  let resumed = false;
  /** When the last claim looked for due deliveries. */
  let lastClaimAt = Number.MIN_SAFE_INTEGER;
  let claimErrors = 0;
  let consecutiveClaimErrors = 0;

  /** Work may have been queued (a publish, another node): claim again. */
  function wake(): void {
    skips.newWork();
    resume();
  }

  /** Room was freed: claim again. */
  function resume(): void {
    resumed = true;
    due.wake();
    roomWaiter?.();
  }

  /** Claims one batch and starts its deliveries; returns how many were claimed. */
  async function pump(): Promise<number> {
    const now = clock.now();
    lastClaimAt = now;
    const room = capacity.room(batchSize);
    if (room === 0) return 0;
    const leaseEnd = now + leaseMs;
    const round = skips.next();
    if (round === null) {
      due.dueBy(skips.holdEndsAt());
      return 0;
    }
    const claimStarted = performance.now();
    const claimed = await store.queue.claim(now, leaseEnd, room, round.skip);
    if (claimed.length === 0) {
      skips.foundNothing(round.key, performance.now() - claimStarted);
      return 0;
    }
    const [messages, endpoints] = await Promise.all([
      store.queue.loadMessages([...new Set(claimed.map((c) => c.msgId))]),
      store.queue.loadEndpoints([...new Set(claimed.map((c) => c.endpointId))]),
    ]);
    const paused: ClaimedDelivery[] = [];
    /** No room for them after all: back in the queue, in their turn. */
    const back: ClaimedDelivery[] = [];
    const later = new Map<number, ClaimedDelivery[]>();
    // Throttled endpoints: one shared slot taken per endpoint and round, the rest spread over
    // the coming slots.
    const throttleSlots = new Map<string, { granted: boolean; nextAt: number; deferred: number }>();
    const deferTo = (at: number, d: ClaimedDelivery) =>
      later.set(at, [...(later.get(at) ?? []), d]);
    /** Deliveries whose endpoint may answer after the claim's lease ends, by their lease's end. */
    const longer = new Map<number, Parameters<typeof start>[]>();
    const begin = (delivery: ClaimedDelivery, message: QueuedMessage, endpoint: LoadedEndpoint) => {
      const needed = leaseEndFor(endpoint.endpoint, endpoint.appPolicy, now);
      if (needed <= leaseEnd) start(delivery, message, endpoint, leaseEnd);
      else
        longer.set(needed, [...(longer.get(needed) ?? []), [delivery, message, endpoint, needed]]);
    };
    for (const delivery of claimed) {
      const message = messages.get(delivery.msgId);
      const endpoint = endpoints.get(delivery.endpointId);
      if (!message || !endpoint) continue; // deleted since: its delivery row went with it
      const { id, rateLimit } = endpoint.endpoint;
      if (endpoint.endpoint.disabled) {
        paused.push(delivery);
      } else if (gate.full(id) || capacity.overShare(delivery.appId)) {
        back.push(delivery);
      } else if (rateLimit && rateLimit > 0) {
        const interval = 1000 / rateLimit;
        let slot = throttleSlots.get(id);
        if (!slot) {
          slot = { ...(await store.queue.takeThrottleSlot(id, now, interval)), deferred: 0 };
          throttleSlots.set(id, slot);
          if (slot.granted) {
            begin(delivery, message, endpoint);
            continue;
          }
        }
        deferTo(Math.ceil(slot.nextAt + slot.deferred * interval), delivery);
        slot.deferred++;
      } else {
        begin(delivery, message, endpoint);
      }
    }
    // Leased for longer before they start, so no other worker claims them meanwhile.
    for (const [end, starts] of longer) {
      await store.queue.extendLeases(
        starts.map(([delivery]) => delivery),
        end,
      );
      for (const args of starts) start(...args);
    }
    if (paused.length > 0) await store.queue.defer(paused, null, now);
    if (back.length > 0) await store.queue.defer(back, now, now);
    for (const [at, list] of later) {
      await store.queue.defer(list, at, now);
      due.dueBy(at);
    }
    return claimed.length;
  }

  /** Starts one claimed delivery, leased until `leaseEnd`. */
  function start(
    delivery: ClaimedDelivery,
    message: QueuedMessage,
    endpoint: LoadedEndpoint,
    leaseEnd: number,
  ) {
    const bytes = message.payload?.length ?? 0;
    const endpointId = endpoint.endpoint.id;
    capacity.begin(bytes, delivery.appId);
    // The slot is given back once the exchange is over, while the attempt's record waits for
    // its commit (a round trip and more on a networked database): a full dispatcher claims
    // again when half its slots are free, and records holding slots delayed that until the
    // deliveries already claimed ran out, leaving the endpoints idle.
    let held = true;
    const giveBack = () => {
      if (!held) return;
      held = false;
      capacity.end(bytes, delivery.appId);
      // A full dispatcher claims again once half its capacity is free, not after every
      // single attempt; deliveries left in the queue for want of room are claimed again
      // once their endpoint or application has some.
      if (full ? capacity.halfFree() : skips.roomFreed(endpointId, delivery.appId)) resume();
    };
    let recordingFree = false;
    const task = (async () => {
      const release = await gate.acquire(endpointId);
      if (releasing) {
        release(null, false);
        const now = clock.now();
        await store.queue.defer([delivery], now, now);
        return;
      }
      // The endpoint's slot is freed as soon as the exchange is over; recording the attempt
      // does not hold it.
      const started = performance.now();
      let sent = false;
      const exchanged = (timedOut = false) => {
        if (sent) return;
        sent = true;
        release(performance.now() - started, timedOut);
        if (recording.count < maxInFlight && recording.bytes + bytes <= maxInFlightBytes) {
          recording.count++;
          recording.bytes += bytes;
          recordingFree = true;
          giveBack();
        }
      };
      try {
        await attempt(delivery, message, endpoint, exchanged);
      } finally {
        exchanged();
      }
    })()
      .catch((error: unknown) => {
        deps.log?.error({ err: error }, 'delivery attempt failed unexpectedly');
        // Nothing recorded (the database failed?): the delivery falls due when its lease ends.
        due.dueBy(leaseEnd);
      })
      .finally(() => {
        if (recordingFree) {
          recording.count--;
          recording.bytes -= bytes;
        }
        running.delete(task);
        giveBack();
      });
    running.add(task);
  }

  async function loop(): Promise<void> {
    let failures = 0;
    await store.recoverClaims(clock.now());
    while (!stopping) {
      lastTickAt = clock.now();
      try {
        // What is due is learnt afresh from the queue; producers lower it from here on.
        due.reset();
        const claimed = await pump();
        failures = 0;
        consecutiveClaimErrors = 0;
        if (capacity.busy()) {
          full = true;
          await waitForRoom(maxIdleMs);
          full = false;
          continue;
        }
        // An application alone holding all it may is claimed for again once half the slots
        // are free, in one large batch; meanwhile other applications' work (a publish, a
        // retry falling due) still wakes the loop.
        const aloneFull = capacity.aloneFull();
        if (claimed > 0 && !aloneFull) continue;
        // Nothing due that this dispatcher has room for (what is due now went to the claim,
        // or was skipped and wakes the loop when it has room): what falls due next.
        const next = await store.queue.nextDueAt(lastClaimAt);
        if (next !== null) due.dueBy(next);
        if (!stopping) {
          resumed = false;
          full = aloneFull;
          await due.sleep();
          full = false;
          // Woken by the clock: whatever fell due meanwhile is worth a claim.
          if (!resumed) skips.clockWoke();
        }
      } catch (error) {
        failures++;
        claimErrors++;
        consecutiveClaimErrors = failures;
        deps.log?.error({ err: error }, 'dispatcher could not claim deliveries; retrying');
        await sleep(Math.min(100 * 2 ** failures, 5000));
      }
    }
  }

  function waitForRoom(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        roomWaiter = null;
        resolve();
      }
      roomWaiter = done;
    });
  }

  /**
   * New deliveries of one message, taken while they are stored (see offer.ts). Throttled
   * endpoints, endpoints already saturated, and deliveries beyond capacity are left to the
   * queue.
   */
  function offer(app: Application): DispatchOffer | null {
    if (!loopDone || stopping) return null;
    return createDispatchOffer({
      app,
      leaseEnd: (endpoint, now) => leaseEndFor(endpoint, app.policy ?? null, now),
      reserve(endpoint) {
        if (stopping || (endpoint.rateLimit ?? 0) > 0 || gate.full(endpoint.id)) return false;
        return capacity.reserve(app.id);
      },
      unreserve: (count) => capacity.unreserve(count, app.id),
      start,
    });
  }

  return {
    wake,
    offer,

    state(): DispatcherState {
      return {
        running: loopDone !== null && !stopping,
        lastTickAt,
        inFlight: running.size,
        claimErrors,
        consecutiveClaimErrors,
        maxIdleMs,
      };
    },

    /** Runs the dispatcher in the background until `stop()`. */
    start(): void {
      if (loopDone) return;
      stopping = false;
      releasing = false;
      // Deliveries queued by this node or, through the store, by another wake the loop.
      unsubscribe = store.onDeliveriesQueued(wake);
      loopDone = loop();
    },

    /**
     * Stops claiming, puts back the deliveries still waiting for an endpoint slot, and lets
     * attempts in flight finish within `graceMs` and record themselves. An attempt still
     * unfinished after that stays leased and falls due again when the lease ends.
     */
    async stop(graceMs = 10_000): Promise<void> {
      stopping = true;
      releasing = true;
      unsubscribe();
      wake();
      await loopDone;
      loopDone = null;
      const timeout = new AbortController();
      const finished = Promise.allSettled([...running]);
      await Promise.race([
        finished,
        sleep(graceMs, undefined, { signal: timeout.signal }).catch(() => {}),
      ]);
      timeout.abort();
    },

    /** Delivers everything due now and waits for it (tests drive time with a fake clock). */
    async runDue(): Promise<void> {
      releasing = false;
      for (;;) {
        const claimed = await pump();
        await Promise.allSettled([...running]);
        if (claimed === 0) return;
      }
    },
  };
}
