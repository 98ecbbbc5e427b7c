import { Type } from '@sinclair/typebox';
import { type Endpoint, isSensitiveHeader } from '../../domain/endpoint.ts';
import type { Delivery } from '../../domain/message.ts';
import { maskCredentials } from '../../domain/url-credentials.ts';
import { DateTime, HeaderValue, iso, isoOrNull, Metadata, Nullable, Uid } from './common.ts';
import { DeliveryPolicySchema, PolicyField } from './delivery-policy.ts';
import { statusText } from './message.ts';

const RateLimit = Nullable(Type.Integer({ minimum: 0, maximum: 65535 }));
const EventTypeList = Nullable(
  Type.Array(Type.String({ minLength: 1, maxLength: 256 }), { minItems: 1, uniqueItems: true }),
);
const Channels = Nullable(
  Type.Array(Type.String({ minLength: 1, maxLength: 128 }), {
    minItems: 1,
    maxItems: 10,
    uniqueItems: true,
  }),
);
export const Url = Type.String({
  minLength: 1,
  maxLength: 65_536,
  format: 'uri',
  pattern: '^https?://',
});
export const Secret = Type.String({
  minLength: 8,
  maxLength: 256,
  description:
    'A `whsec_` HMAC secret (base64 of 24-64 bytes) or a `whsk_` Ed25519 key (base64 of the 64-byte seed and public key, as Svix stores it); any text of 8-256 characters for raw-body HMAC policies.',
});
export const Headers = Type.Record(
  Type.String({ minLength: 1, maxLength: 256 }),
  HeaderValue(4096),
);

const fields = {
  description: Type.Optional(Type.String({ maxLength: 4096 })),
  uid: Type.Optional(Nullable(Uid)),
  // At most what a 32-bit integer column holds (it was stored, then made the endpoint unreadable).
  version: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 2_147_483_647 }))),
  rateLimit: Type.Optional(RateLimit),
  throttleRate: Type.Optional(RateLimit),
  disabled: Type.Optional(Type.Boolean()),
  filterTypes: Type.Optional(EventTypeList),
  eventTypes: Type.Optional(EventTypeList),
  channels: Type.Optional(Channels),
  metadata: Type.Optional(Metadata),
  policy: PolicyField,
};

export const EndpointIn = Type.Object(
  {
    url: Url,
    ...fields,
    secret: Type.Optional(Nullable(Secret)),
    headers: Type.Optional(Nullable(Headers)),
  },
  { title: 'EndpointIn' },
);

export const EndpointUpdate = Type.Object({ url: Url, ...fields }, { title: 'EndpointUpdate' });

export const EndpointPatch = Type.Object(
  { url: Type.Optional(Url), ...fields, secret: Type.Optional(Nullable(Secret)) },
  { title: 'EndpointPatch' },
);

const endpointFields = {
  id: Type.String(),
  uid: Nullable(Type.String()),
  url: Type.String(),
  description: Type.String(),
  version: Type.Integer(),
  rateLimit: Nullable(Type.Integer()),
  throttleRate: Nullable(Type.Integer()),
  disabled: Type.Boolean(),
  filterTypes: Nullable(Type.Array(Type.String())),
  eventTypes: Nullable(Type.Array(Type.String())),
  channels: Nullable(Type.Array(Type.String())),
  createdAt: DateTime,
  updatedAt: DateTime,
};

export const EndpointOut = Type.Object(
  { ...endpointFields, metadata: Metadata, policy: Nullable(DeliveryPolicySchema) },
  { title: 'EndpointOut' },
);

export const MessageEndpointOut = Type.Object(
  {
    ...endpointFields,
    status: Type.Integer({ minimum: 0, maximum: 3 }),
    statusText: Type.String(),
    nextAttempt: Nullable(DateTime),
  },
  { title: 'MessageEndpointOut' },
);

const common = (e: Endpoint) => ({
  id: e.id,
  uid: e.uid,
  url: maskCredentials(e.url),
  description: e.description,
  version: e.version,
  rateLimit: e.rateLimit,
  throttleRate: e.rateLimit,
  disabled: e.disabled,
  filterTypes: e.filterTypes,
  eventTypes: e.filterTypes,
  channels: e.channels,
  createdAt: iso(e.createdAt),
  updatedAt: iso(e.updatedAt),
});

export const endpointOut = (e: Endpoint) => ({
  ...common(e),
  metadata: e.metadata,
  policy: e.policy ?? null,
});

export const messageEndpointOut = (e: Endpoint, d: Delivery) => ({
  ...common(e),
  status: d.status,
  statusText: statusText(d.status),
  nextAttempt: isoOrNull(d.nextAttemptAt),
});

export const EndpointSecretOut = Type.Object(
  { key: Type.String() },
  { title: 'EndpointSecretOut' },
);

export const EndpointSecretRotateIn = Type.Object(
  {
    key: Type.Optional(Nullable(Secret)),
    gracePeriodSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 604_800 })),
  },
  { title: 'EndpointSecretRotateIn' },
);

export const EndpointHeadersIn = Type.Object({ headers: Headers }, { title: 'EndpointHeadersIn' });

export const EndpointHeadersPatchIn = Type.Object(
  {
    headers: Type.Record(
      Type.String({ minLength: 1, maxLength: 256 }),
      Nullable(HeaderValue(4096)),
    ),
    deleteHeaders: Type.Optional(Type.Array(Type.String())),
  },
  { title: 'EndpointHeadersPatchIn' },
);

export const EndpointHeadersOut = Type.Object(
  { headers: Type.Record(Type.String(), Type.String()), sensitive: Type.Array(Type.String()) },
  { title: 'EndpointHeadersOut' },
);

/** Sensitive header values are never read back: they are listed by name only. */
export function endpointHeadersOut(headers: Record<string, string>) {
  const shown: Record<string, string> = {};
  const sensitive: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (isSensitiveHeader(name)) sensitive.push(name);
    else shown[name] = value;
  }
  return { headers: shown, sensitive };
}

export const EndpointStats = Type.Object(
  {
    success: Type.Integer(),
    pending: Type.Integer(),
    sending: Type.Integer(),
    fail: Type.Integer(),
    canceled: Type.Integer(),
  },
  { title: 'EndpointStats' },
);
