import { Type } from '@sinclair/typebox';
import {
  type Delivery,
  type Message,
  type MessageAttempt,
  MessageStatus,
} from '../../domain/message.ts';
import { maskCredentials } from '../../domain/url-credentials.ts';
import { InlineApplicationIn } from './application.ts';
import { DateTime, iso, isoOrNull, Nullable, Uid } from './common.ts';

export const EventTypeName = Type.String({
  minLength: 1,
  maxLength: 256,
  pattern: '^[a-zA-Z0-9\\-_.]+$',
});

export const Payload = Type.Object(
  {},
  { additionalProperties: true, description: 'Any JSON object.' },
);

const Channels = Nullable(
  Type.Array(Type.String({ minLength: 1, maxLength: 128 }), {
    minItems: 1,
    maxItems: 10,
    uniqueItems: true,
  }),
);

export const MessageIn = Type.Object(
  {
    eventType: EventTypeName,
    eventId: Type.Optional(Nullable(Uid)),
    payload: Payload,
    channels: Type.Optional(Channels),
    tags: Type.Optional(
      Nullable(
        Type.Array(Type.String({ minLength: 1, maxLength: 128 }), {
          maxItems: 5,
          uniqueItems: true,
        }),
      ),
    ),
    deliverAt: Type.Optional(Nullable(Type.String({ format: 'date-time' }))),
    payloadRetentionPeriod: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 90 }))),
    payloadRetentionHours: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 2160 }))),
    application: InlineApplicationIn,
    transformationsParams: Type.Optional(
      Nullable(
        Type.Object(
          {
            rawPayload: Type.Optional(Type.String()),
            headers: Type.Optional(Type.Record(Type.String(), Type.String())),
          },
          {
            additionalProperties: true,
            description:
              'With `rawPayload` (what the SDKs\' `messageInRaw` sends), that text is delivered exactly as given, signed as sent, with `headers["content-type"]` (default `application/json`); `payload` is then ignored.',
          },
        ),
      ),
    ),
  },
  { title: 'MessageIn' },
);

const messageFields = {
  id: Type.String(),
  eventId: Nullable(Type.String()),
  eventType: Type.String(),
  payload: Type.Object({}, { additionalProperties: true }),
  channels: Nullable(Type.Array(Type.String())),
  tags: Nullable(Type.Array(Type.String())),
  timestamp: DateTime,
  deliverAt: Nullable(DateTime),
};

export const MessageOut = Type.Object(messageFields, { title: 'MessageOut' });

export const EndpointMessageOut = Type.Object(
  {
    ...messageFields,
    status: Type.Integer({ minimum: 0, maximum: 3 }),
    statusText: Type.String(),
    nextAttempt: Nullable(DateTime),
  },
  { title: 'EndpointMessageOut' },
);

export const MessageAttemptOut = Type.Object(
  {
    id: Type.String(),
    msgId: Type.String(),
    endpointId: Type.String(),
    url: Type.String(),
    response: Type.String(),
    responseStatusCode: Type.Integer(),
    responseDurationMs: Type.Integer(),
    status: Type.Integer({ minimum: 0, maximum: 3 }),
    statusText: Type.String(),
    triggerType: Type.Integer({ minimum: 0, maximum: 1 }),
    timestamp: DateTime,
    msg: Type.Optional(Nullable(MessageOut)),
    requestHeaders: Nullable(
      Type.Record(Type.String(), Type.String(), {
        description:
          'A Herald extension: the headers the request was sent with (content type, user agent, signature headers, custom headers), in the order sent; values of sensitive headers (authorization, cookies, keys, tokens, secrets, passwords) read `••••••••`. Null when no request could be built, and for attempts made before Herald recorded them.',
      }),
    ),
    responseHidden: Nullable(
      Type.Literal('private_destination', {
        description:
          'A Herald extension: `private_destination` when the request went to a private address that the operator allowed (`HERALD_ALLOWED_SUBNETS`) and the caller is an application token: `response` is then empty. The operator token sees the response. Null otherwise.',
      }),
    ),
  },
  { title: 'MessageAttemptOut' },
);

const statusNames: Record<number, string> = {
  [MessageStatus.success]: 'success',
  [MessageStatus.pending]: 'pending',
  [MessageStatus.fail]: 'fail',
  [MessageStatus.sending]: 'sending',
};

export const statusText = (status: number): string => statusNames[status] ?? 'pending';

/**
 * `{"expired": true}` once retention purged it, `{}` without content or once expunged. A raw
 * payload shows as the JSON object it holds, or `{}` when it holds something else.
 */
function payloadOut(m: Message, withContent: boolean): Record<string, unknown> {
  if (m.expired) return { expired: true };
  if (!withContent || m.payload === null) return {};
  if (m.contentType) return rawPayloadObject(m.payload);
  return JSON.parse(m.payload) as Record<string, unknown>;
}

function rawPayloadObject(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    if (value !== null && typeof value === 'object' && !Array.isArray(value))
      return value as Record<string, unknown>;
  } catch {}
  return {};
}

/** A message as the API shows it. */
export function messageOut(m: Message, withContent = true) {
  return {
    id: m.id,
    eventId: m.eventId,
    eventType: m.eventType,
    payload: payloadOut(m, withContent),
    channels: m.channels,
    tags: m.tags,
    timestamp: iso(m.createdAt),
    deliverAt: isoOrNull(m.deliverAt),
  };
}

/**
 * `messageOut` as JSON text, with the stored payload bytes spliced in: the publish answer
 * (sent on every publish) skips parsing the payload back and serializing it again.
 */
export function messageOutJson(m: Message, withContent = true): string {
  const payload = m.expired
    ? '{"expired":true}'
    : !withContent || m.payload === null
      ? '{}'
      : m.contentType
        ? JSON.stringify(rawPayloadObject(m.payload))
        : m.payload;
  const json = JSON.stringify;
  return `{"id":${json(m.id)},"eventId":${json(m.eventId)},"eventType":${json(m.eventType)},"payload":${payload},"channels":${json(m.channels)},"tags":${json(m.tags)},"timestamp":"${iso(m.createdAt)}","deliverAt":${json(isoOrNull(m.deliverAt))}}`;
}

export const endpointMessageOut = (m: Message, d: Delivery, withContent = true) => ({
  ...messageOut(m, withContent),
  status: d.status,
  statusText: statusText(d.status),
  nextAttempt: isoOrNull(d.nextAttemptAt),
});

/**
 * An attempt as the API shows it. `hidePrivate`: the caller may not read what a private
 * destination answered (an application's token; see `hidesPrivateResponses`).
 */
export const messageAttemptOut = (
  a: MessageAttempt,
  hidePrivate: boolean,
  msg?: Message | null,
) => {
  const hidden = hidePrivate && a.privateDestination;
  return {
    id: a.id,
    msgId: a.msgId,
    endpointId: a.endpointId,
    url: maskCredentials(a.url),
    response: hidden ? '' : (a.response ?? ''),
    responseStatusCode: a.responseStatusCode,
    responseDurationMs: a.responseDurationMs,
    status: a.status,
    statusText: statusText(a.status),
    triggerType: a.triggerType,
    timestamp: iso(a.createdAt),
    ...(msg === undefined ? {} : { msg: msg ? messageOut(msg) : null }),
    requestHeaders: a.requestHeaders,
    responseHidden: hidden ? ('private_destination' as const) : null,
  };
};
