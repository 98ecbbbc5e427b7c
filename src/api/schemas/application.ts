import { Type } from '@sinclair/typebox';
import type { Application } from '../../domain/application.ts';
import { DateTime, iso, Metadata, Nullable, Uid } from './common.ts';
import { DeliveryPolicySchema, PolicyField } from './delivery-policy.ts';

const RateLimit = Nullable(Type.Integer({ minimum: 0, maximum: 65535 }));

export const ApplicationIn = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 256 }),
    uid: Type.Optional(Nullable(Uid)),
    rateLimit: Type.Optional(RateLimit),
    throttleRate: Type.Optional(RateLimit),
    metadata: Type.Optional(Metadata),
    policy: PolicyField,
  },
  { title: 'ApplicationIn' },
);

/**
 * An application named inline in a message or a portal-access request, created when the path's
 * uid names none yet (without a delivery policy: set one on the application afterwards).
 */
export const InlineApplicationIn = Type.Optional(
  Nullable(
    Type.Object(
      {
        name: ApplicationIn.properties.name,
        uid: ApplicationIn.properties.uid,
        rateLimit: ApplicationIn.properties.rateLimit,
        throttleRate: ApplicationIn.properties.throttleRate,
        metadata: ApplicationIn.properties.metadata,
      },
      {
        description:
          'Creates the application named in the path (by uid) when it does not exist; ignored when it does.',
      },
    ),
  ),
);

export const ApplicationPatch = Type.Partial(ApplicationIn, { title: 'ApplicationPatch' });

export const ApplicationOut = Type.Object(
  {
    id: Type.String(),
    uid: Nullable(Type.String()),
    name: Type.String(),
    rateLimit: Nullable(Type.Integer()),
    throttleRate: Nullable(Type.Integer()),
    metadata: Metadata,
    policy: Nullable(DeliveryPolicySchema),
    createdAt: DateTime,
    updatedAt: DateTime,
  },
  { title: 'ApplicationOut' },
);

export const applicationOut = (a: Application) => ({
  id: a.id,
  uid: a.uid,
  name: a.name,
  rateLimit: a.rateLimit,
  throttleRate: a.rateLimit,
  metadata: a.metadata,
  policy: a.policy ?? null,
  createdAt: iso(a.createdAt),
  updatedAt: iso(a.updatedAt),
});
