// What a claim leaves in the queue for want of room (endpoints at their limit, applications
// holding their share), and whether claiming with the same skip list again is worth it: such
// a claim reads past every due delivery it skips, and over a large skipped backlog that is
// the costliest statement the dispatcher runs.
import type { ClaimSkip } from '../store/queue.ts';
import type { Capacity } from './capacity.ts';
import type { EndpointGate } from './endpoint-gate.ts';

export type SkipList = ReturnType<typeof createSkipList>;

export function createSkipList(deps: { gate: EndpointGate; capacity: Capacity; now(): number }) {
  const { gate, capacity } = deps;
  /**
   * The skip list of the last claim that found nothing, while nothing can have fallen due
   * since but what it skipped: claiming with it again would read past the same backlog of
   * skipped deliveries for nothing.
   */
  let fruitless: string | null = null;
  /** Until when the clock alone does not make that claim again. */
  let holdUntil = 0;
  /** What the last claim skipped: an attempt of theirs ending wakes the loop. */
  let skipped = { endpointIds: new Set<string>(), appIds: new Set<string>() };

  return {
    /**
     * The skip list for the next claim (the endpoints and applications with no room now),
     * or null when the last claim with the same list found nothing and nothing new is known.
     */
    next(): { skip: ClaimSkip; key: string | null } | null {
      const endpointIds = gate.fullEndpoints();
      const appIds = capacity.appsWithoutRoom();
      skipped = { endpointIds: new Set(endpointIds), appIds: new Set(appIds) };
      const key =
        endpointIds.length || appIds.length ? `${endpointIds.join(',')}|${appIds.join(',')}` : null;
      if (key !== null && key === fruitless) return null;
      return { skip: { endpointIds, appIds }, key };
    },

    /**
     * The claim with this list found nothing after `tookMs`: it read past the whole skipped
     * backlog, so the clock alone does not repeat it for ten times as long (250 ms to 5 s).
     */
    foundNothing(key: string | null, tookMs: number): void {
      fruitless = key;
      holdUntil = deps.now() + Math.min(5000, Math.max(250, 10 * tookMs));
    },

    /** When a claim held off may run again: what fell due meanwhile is claimed then. */
    holdEndsAt: () => holdUntil,

    /** Work may have been queued (a publish, another node): any list is worth a claim. */
    newWork(): void {
      fruitless = null;
    },

    /** The clock woke the loop: whatever fell due is worth a claim, once the hold is over. */
    clockWoke(): void {
      if (deps.now() >= holdUntil) fruitless = null;
    },

    /** An attempt ended whose endpoint or application the last claim skipped, and has room. */
    roomFreed(endpointId: string, appId: string): boolean {
      return (
        (skipped.endpointIds.has(endpointId) && !gate.full(endpointId)) ||
        (skipped.appIds.has(appId) && capacity.hasRoom(appId))
      );
    },
  };
}
