import { Type } from '@sinclair/typebox';
import type { EventType } from '../../domain/event-type.ts';
import { DateTime, iso, Nullable } from './common.ts';
import { EventTypeName } from './message.ts';

const fields = {
  description: Type.String({ maxLength: 4096 }),
  archived: Type.Optional(Type.Boolean()),
  deprecated: Type.Optional(Type.Boolean()),
  schemas: Type.Optional(Nullable(Type.Object({}, { additionalProperties: true }))),
  featureFlag: Type.Optional(
    Nullable(Type.String({ maxLength: 256, pattern: '^[a-zA-Z0-9\\-_.]+$' })),
  ),
  groupName: Type.Optional(
    Nullable(Type.String({ maxLength: 256, pattern: '^[a-zA-Z0-9\\-_.]+$' })),
  ),
};

export const EventTypeIn = Type.Object(
  { name: EventTypeName, ...fields },
  { title: 'EventTypeIn' },
);
export const EventTypeUpdate = Type.Object(fields, { title: 'EventTypeUpdate' });
export const EventTypePatch = Type.Partial(Type.Object(fields), { title: 'EventTypePatch' });

export const EventTypeOut = Type.Object(
  {
    name: Type.String(),
    description: Type.String(),
    archived: Type.Boolean(),
    deprecated: Type.Boolean(),
    schemas: Nullable(Type.Object({}, { additionalProperties: true })),
    featureFlag: Nullable(Type.String()),
    groupName: Nullable(Type.String()),
    createdAt: DateTime,
    updatedAt: DateTime,
  },
  { title: 'EventTypeOut' },
);

export const eventTypeOut = (e: EventType, withContent = true) => ({
  name: e.name,
  description: e.description,
  archived: e.archived,
  deprecated: e.deprecated,
  schemas: withContent ? e.schemas : null,
  featureFlag: e.featureFlag,
  groupName: e.groupName,
  createdAt: iso(e.createdAt),
  updatedAt: iso(e.updatedAt),
});
