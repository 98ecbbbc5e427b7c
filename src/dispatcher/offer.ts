// A dispatcher's offer to send a new message's deliveries itself: each delivery it has room
// for is stored already leased to it and started as soon as the message is committed, with
// no claim query and no wait for the next round.
import type { Application } from '../domain/application.ts';
import type { Endpoint } from '../domain/endpoint.ts';
import { type Message, TriggerType } from '../domain/message.ts';
import type { DeliveryHandoff } from '../store/messages.ts';
import type { ClaimedDelivery, LoadedEndpoint, QueuedMessage } from '../store/queue.ts';

export type DispatchOffer = DeliveryHandoff & {
  /** How many deliveries were taken. */
  readonly taken: number;
  /** The message is committed: send what was taken. */
  start(message: Message): void;
  /** The message was not stored: give the slots back. */
  abort(): void;
};

export function createDispatchOffer(deps: {
  app: Application;
  /** When a delivery to this endpoint taken now must stay leased until. */
  leaseEnd(endpoint: Endpoint, now: number): number;
  /** Holds a slot for a delivery to this endpoint, or says there is none. */
  reserve(endpoint: Endpoint): boolean;
  /** Gives back `count` slots held by `reserve`. */
  unreserve(count: number): void;
  /** Starts a delivery taken, leased until `leaseEnd`. */
  start(
    delivery: ClaimedDelivery,
    message: QueuedMessage,
    endpoint: LoadedEndpoint,
    leaseEnd: number,
  ): void;
}): DispatchOffer {
  const taken: { endpoint: Endpoint; failSince: number | null; leaseEnd: number }[] = [];
  let open = true;
  const close = () => {
    open = false;
    deps.unreserve(taken.length);
  };
  return {
    get taken() {
      return taken.length;
    },
    take(endpoint, failSince, now) {
      if (!open || !deps.reserve(endpoint)) return null;
      const leaseEnd = deps.leaseEnd(endpoint, now);
      taken.push({ endpoint, failSince, leaseEnd });
      return leaseEnd;
    },
    start(message) {
      if (!open) return;
      close();
      const queued: QueuedMessage = {
        id: message.id,
        eventId: message.eventId,
        eventType: message.eventType,
        payload: message.payload,
        contentType: message.contentType ?? null,
        expired: false,
        channels: message.channels,
        createdAt: message.createdAt,
        requestId: message.requestId ?? null,
      };
      const appPolicy = deps.app.policy ?? null;
      for (const { endpoint, failSince, leaseEnd } of taken) {
        deps.start(
          {
            msgId: message.id,
            endpointId: endpoint.id,
            appId: message.appId,
            attemptCount: 0,
            triggerType: TriggerType.scheduled,
          },
          queued,
          { endpoint, failSince, appPolicy },
          leaseEnd,
        );
      }
    },
    abort() {
      if (open) close();
    },
  };
}
