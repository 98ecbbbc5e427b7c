// What a dispatcher may take on: attempts in flight, by count and by payload bytes, and the
// slots promised to deliveries being stored right now (see offer.ts). Claims are sized from
// what is free, with payload sizes estimated from the recent ones, so a queue of large
// payloads is claimed a few at a time and memory stays bounded whatever their size.

export type Capacity = ReturnType<typeof createCapacity>;

export function createCapacity(limits: { maxInFlight: number; maxInFlightBytes: number }) {
  const { maxInFlight, maxInFlightBytes } = limits;
  let inFlight = 0;
  let bytes = 0;
  let reserved = 0;
  /** Moving average of payload sizes. */
  let averageBytes = 1024;

  return {
    /** Every slot, or the whole byte budget, is taken. */
    busy: () => inFlight >= maxInFlight || bytes >= maxInFlightBytes,

    /** Half of it is free again (a full dispatcher waits for this before claiming). */
    halfFree: () => inFlight <= maxInFlight / 2 && bytes <= maxInFlightBytes / 2,

    /** How many deliveries a claim may take now, at most `batch`; 0 when none. */
    room(batch: number): number {
      const bytesRoom = maxInFlightBytes - bytes;
      if (bytesRoom <= 0) return 0;
      return Math.max(
        0,
        Math.min(
          batch,
          maxInFlight - inFlight - reserved,
          Math.max(1, Math.floor(bytesRoom / averageBytes)),
        ),
      );
    },

    /** Holds a slot for a delivery being stored; false when there is none. */
    reserve(): boolean {
      if (inFlight + reserved >= maxInFlight || bytes >= maxInFlightBytes) return false;
      reserved++;
      return true;
    },

    /** Gives back `count` slots held by `reserve`. */
    unreserve(count: number): void {
      reserved -= count;
    },

    /** An attempt with a payload of `payloadBytes` starts. */
    begin(payloadBytes: number): void {
      inFlight++;
      bytes += payloadBytes;
      averageBytes = averageBytes * 0.9 + payloadBytes * 0.1;
    },

    /** An attempt started with `begin` is over (recorded). */
    end(payloadBytes: number): void {
      inFlight--;
      bytes -= payloadBytes;
    },
  };
}
