// What a dispatcher may take on: attempts in flight, by count and by payload bytes, and the
// slots promised to deliveries being stored right now (see offer.ts). Claims are sized from
// what is free, with payload sizes estimated from the recent ones, so a queue of large
// payloads is claimed a few at a time and memory stays bounded whatever their size.
//
// Slots are shared between applications, and the sharing bites only when there is someone to
// share with. An application alone (no other holds a slot) may use every slot but an eighth,
// kept free so that another application's first deliveries always find some; claims for it
// are as large as before there were shares, and once it has taken its slots the dispatcher
// waits for half of them to free, as it does when every slot is taken. As soon as another
// application holds a slot, a dynamic threshold applies: an application may take another slot
// while it holds fewer than twice the slots still free, so each gets less the busier the
// others are, and some are always free for an application that has none. Slots held by
// requests that never answer cannot be taken back, so this keeps one application's dead
// endpoints from starving everyone else. Claims are sized so that no application they may
// take from gets more than its share (nothing claimed goes back for want of it, but for an
// application's first deliveries in a claim made for another alone), and an application
// whose share is (nearly) used is left out of claims until a batch's worth is free again, so
// a busy application is claimed for in batches rather than one slot at a time.

export type Capacity = ReturnType<typeof createCapacity>;

/** An application may hold up to this many times the slots still free. */
const appShareFactor = 2;

export function createCapacity(limits: { maxInFlight: number; maxInFlightBytes: number }) {
  const { maxInFlight, maxInFlightBytes } = limits;
  let inFlight = 0;
  let bytes = 0;
  let reserved = 0;
  /** Moving average of payload sizes. */
  let averageBytes = 1024;
  /** Slots held (in flight or promised) by application. */
  const held = new Map<string, number>();
  const hold = (appId: string, count: number) => {
    const n = (held.get(appId) ?? 0) + count;
    if (n > 0) held.set(appId, n);
    else held.delete(appId);
  };
  /** The most slots an application alone may hold: all but those kept for a newcomer. */
  const aloneCap = Math.max(1, maxInFlight - Math.ceil(maxInFlight / 8));
  /** No application but this one (or none, for '') holds a slot. */
  const alone = (appId: string): boolean => held.size === 0 || (held.size === 1 && held.has(appId));
  /**
   * How many more slots the application may take now: alone, up to its cap; otherwise each
   * while it holds fewer than twice the slots still free.
   */
  const allowance = (appId: string): number => {
    const free = maxInFlight - inFlight - reserved;
    const h = held.get(appId) ?? 0;
    if (alone(appId)) return Math.max(0, Math.min(free, aloneCap - h));
    return Math.max(0, Math.ceil((appShareFactor * free - h) / (appShareFactor + 1)));
  };
  /** The one application holding slots, if exactly one does. */
  const only = (): string | undefined => {
    if (held.size !== 1) return undefined;
    for (const appId of held.keys()) return appId;
    return undefined;
  };
  const overShare = (appId: string): boolean => allowance(appId) < 1;
  /** An application left out of claims has less room than this. */
  const claimWorth = Math.max(1, Math.floor(maxInFlight / 4));

  return {
    /** Every slot, or the whole byte budget, is taken. */
    busy: () => inFlight >= maxInFlight || bytes >= maxInFlightBytes,

    /**
     * An application alone holds all it may: it waits for half the slots to free, as when
     * every one is taken, though another application's work may still start.
     */
    aloneFull(): boolean {
      const appId = only();
      return appId !== undefined && allowance(appId) === 0;
    },

    /** Half of it is free again (a full dispatcher waits for this before claiming). */
    halfFree: () => inFlight <= maxInFlight / 2 && bytes <= maxInFlightBytes / 2,

    /** How many deliveries a claim may take now, at most `batch`; 0 when none. */
    room(batch: number): number {
      const bytesRoom = maxInFlightBytes - bytes;
      if (bytesRoom <= 0) return 0;
      // No more than any application the claim may take from can start: one holding
      // nothing, or one holding slots and not left out. With one application alone, its own
      // allowance: another's deliveries are unlikely then, and those beyond its share of a
      // claim go back.
      const appId = only();
      const own = appId === undefined ? 0 : allowance(appId);
      let share = own >= claimWorth ? own : allowance('');
      if (own < claimWorth) {
        for (const id of held.keys()) {
          const a = allowance(id);
          if (a >= claimWorth) share = Math.min(share, a);
        }
      }
      return Math.max(
        0,
        Math.min(
          batch,
          maxInFlight - inFlight - reserved,
          share,
          Math.max(1, Math.floor(bytesRoom / averageBytes)),
        ),
      );
    },

    /** The application holds its share of the slots: it may take no more now. */
    overShare,

    /** The applications claims leave out: less than a batch's worth of their share is left. */
    appsWithoutRoom(): string[] {
      const ids: string[] = [];
      for (const appId of held.keys()) if (allowance(appId) < claimWorth) ids.push(appId);
      return ids;
    },

    /** Whether claims may take the application's deliveries again. */
    hasRoom: (appId: string): boolean => allowance(appId) >= claimWorth,

    /** Holds a slot for a delivery of the application being stored; false when there is none. */
    reserve(appId: string): boolean {
      if (inFlight + reserved >= maxInFlight || bytes >= maxInFlightBytes || overShare(appId))
        return false;
      reserved++;
      hold(appId, 1);
      return true;
    },

    /** Gives back `count` slots held by `reserve`. */
    unreserve(count: number, appId: string): void {
      reserved -= count;
      hold(appId, -count);
    },

    /** An attempt of the application, with a payload of `payloadBytes`, starts. */
    begin(payloadBytes: number, appId: string): void {
      inFlight++;
      bytes += payloadBytes;
      averageBytes = averageBytes * 0.9 + payloadBytes * 0.1;
      hold(appId, 1);
    },

    /** An attempt started with `begin` is over (recorded). */
    end(payloadBytes: number, appId: string): void {
      inFlight--;
      bytes -= payloadBytes;
      hold(appId, -1);
    },
  };
}
