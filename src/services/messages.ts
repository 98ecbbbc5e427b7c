// Publishing: checks a message, stores it with one pending delivery per matching endpoint,
// and wakes the dispatcher.

import type { DispatchOffer } from '../dispatcher/offer.ts';
import type { Application } from '../domain/application.ts';
import type { Clock } from '../domain/clock.ts';
import type { Endpoint } from '../domain/endpoint.ts';
import { HeraldError, invalid } from '../domain/errors.ts';
import type { IdGenerator } from '../domain/ids.ts';
import type { Message } from '../domain/message.ts';
import type { Store } from '../store/store.ts';

/** Where a publish comes from. */
export type PublishOrigin = { reqId?: string };

export type MessageInput = {
  eventType: string;
  eventId?: string | null;
  payload: Record<string, unknown>;
  channels?: string[] | null;
  tags?: string[] | null;
  deliverAt?: string | null;
  /** `rawPayload`: text sent as it is, with `headers['content-type']`, instead of `payload`. */
  transformationsParams?: { rawPayload?: string; headers?: Record<string, string> } | null;
};

/** The raw payload and its content type, when the input carries one. */
function rawPayload(input: MessageInput): { text: string; contentType: string } | null {
  const params = input.transformationsParams;
  if (typeof params?.rawPayload !== 'string') return null;
  const header = Object.entries(params.headers ?? {}).find(
    ([name]) => name.toLowerCase() === 'content-type',
  );
  const contentType = header?.[1] || 'application/json';
  if (!/^[\x20-\x7e]+$/.test(contentType) || contentType.length > 256)
    throw invalid(
      ['body', 'transformationsParams', 'headers', header?.[0] ?? 'content-type'],
      'a content type is printable ASCII, at most 256 characters',
    );
  return { text: params.rawPayload, contentType };
}

export function messageService(deps: {
  store: Store;
  clock: Clock;
  newId: IdGenerator;
  maxPayloadBytes: number;
  deliveriesQueued: () => void;
  /** Offers new deliveries to this node's dispatcher (null: no dispatcher, or no room). */
  offerDispatch: (app: Application) => DispatchOffer | null;
}) {
  return {
    /** `origin.reqId`: the API request publishing it, named in its attempts' logs. */
    publish: (app: Application, input: MessageInput, origin: PublishOrigin = {}) =>
      publish(app, input, origin, undefined),

    /** Publishes a message to one endpoint only (examples, tests). */
    publishTo: (
      app: Application,
      endpoint: Endpoint,
      input: MessageInput,
      origin: PublishOrigin = {},
    ) => publish(app, input, origin, endpoint.id),
  };

  async function publish(
    app: Application,
    input: MessageInput,
    origin: PublishOrigin,
    onlyEndpointId: string | undefined,
  ): Promise<Message> {
    const raw = rawPayload(input);
    const payload = raw ? raw.text : JSON.stringify(input.payload);
    if (Buffer.byteLength(payload) > deps.maxPayloadBytes) {
      throw new HeraldError(
        'payload_too_large',
        `the payload is ${Buffer.byteLength(payload)} bytes; the limit is ${deps.maxPayloadBytes}`,
      );
    }
    const now = deps.clock.now();
    let deliverAt: number | null = null;
    if (input.deliverAt) {
      deliverAt = Date.parse(input.deliverAt);
      if (Number.isNaN(deliverAt)) throw invalid(['body', 'deliverAt'], 'not a valid date-time');
      if (deliverAt <= now) deliverAt = null;
    }
    const message: Message = {
      id: deps.newId('message'),
      appId: app.id,
      eventId: input.eventId ?? null,
      eventType: input.eventType,
      payload,
      contentType: raw?.contentType ?? null,
      channels: input.channels ?? null,
      tags: input.tags ?? null,
      createdAt: now,
      deliverAt,
      requestId: origin.reqId ?? null,
    };
    const offer = deps.offerDispatch(app) ?? undefined;
    let queued: number;
    try {
      queued = await deps.store.messages.publish(message, onlyEndpointId, offer);
    } catch (error) {
      offer?.abort();
      throw error;
    }
    offer?.start(message);
    if (queued > (offer?.taken ?? 0)) deps.deliveriesQueued();
    return message;
  }
}

export type MessageService = ReturnType<typeof messageService>;
