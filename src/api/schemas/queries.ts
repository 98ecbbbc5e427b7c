// Query strings of the message and attempt listings.
import { Type } from '@sinclair/typebox';
import type { MessageFilter } from '../../store/messages.ts';
import { DateTime, ListQuery } from './common.ts';

export const MessageListQuery = Type.Composite([
  ListQuery,
  Type.Object({
    before: Type.Optional(DateTime),
    after: Type.Optional(DateTime),
    channel: Type.Optional(Type.String({ maxLength: 128 })),
    tag: Type.Optional(Type.String({ maxLength: 128 })),
    event_types: Type.Optional(Type.Array(Type.String({ maxLength: 256 }))),
    with_content: Type.Boolean({ default: true }),
  }),
]);

export const AttemptListQuery = Type.Composite([
  MessageListQuery,
  Type.Object({
    status: Type.Optional(Type.Integer({ minimum: 0, maximum: 3 })),
    status_code_class: Type.Optional(
      Type.Union([0, 100, 200, 300, 400, 500].map((c) => Type.Literal(c))),
    ),
    endpoint_id: Type.Optional(Type.String({ maxLength: 256 })),
    with_msg: Type.Boolean({ default: false }),
  }),
]);

export function messageFilter(q: {
  before?: string;
  after?: string;
  channel?: string;
  tag?: string;
  event_types?: string[];
}): MessageFilter {
  return {
    ...(q.before ? { before: Date.parse(q.before) } : {}),
    ...(q.after ? { after: Date.parse(q.after) } : {}),
    ...(q.channel ? { channel: q.channel } : {}),
    ...(q.tag ? { tag: q.tag } : {}),
    ...(q.event_types?.length ? { eventTypes: q.event_types } : {}),
  };
}
