// /api/v1/event-type: the catalogue of events a producer sends.
import { Type } from '@sinclair/typebox';
import { notFound } from '../../domain/errors.ts';
import type { EventType } from '../../domain/event-type.ts';
import { errorResponses, ListQuery, ListResponse } from '../schemas/common.ts';
import {
  EventTypeIn,
  EventTypeOut,
  EventTypePatch,
  EventTypeUpdate,
  eventTypeOut,
} from '../schemas/event-type.ts';
import { EventTypeName } from '../schemas/message.ts';
import type { AppDeps, HeraldFastify } from '../types.ts';

const Params = Type.Object({ event_type_name: EventTypeName });
const tags = ['Event Type'];

type EventTypeInput = Partial<Omit<EventType, 'name' | 'createdAt' | 'updatedAt'>>;

export function eventTypeRoutes(api: HeraldFastify, deps: AppDeps): void {
  const { store, clock } = deps;

  const apply = (base: EventType, input: EventTypeInput): EventType => ({
    ...base,
    description: input.description ?? base.description,
    archived: input.archived ?? base.archived,
    deprecated: input.deprecated ?? base.deprecated,
    schemas: input.schemas === undefined ? base.schemas : input.schemas,
    featureFlag: input.featureFlag === undefined ? base.featureFlag : input.featureFlag,
    groupName: input.groupName === undefined ? base.groupName : input.groupName,
    updatedAt: clock.now(),
  });

  const blank = (name: string): EventType => {
    const now = clock.now();
    return {
      name,
      description: '',
      archived: false,
      deprecated: false,
      schemas: null,
      featureFlag: null,
      groupName: null,
      createdAt: now,
      updatedAt: now,
    };
  };

  const load = async (name: string) => {
    const found = await store.eventTypes.find(name);
    if (!found) throw notFound('event type');
    return found;
  };

  api.get(
    '/event-type',
    {
      config: { auth: 'any' },
      schema: {
        tags,
        operationId: 'v1.event-type.list',
        summary: 'List event types',
        querystring: Type.Composite([
          ListQuery,
          Type.Object({
            include_archived: Type.Boolean({ default: false }),
            with_content: Type.Boolean({ default: true }),
          }),
        ]),
        response: { 200: ListResponse(EventTypeOut, 'EventTypeOut'), ...errorResponses },
      },
    },
    async (request) => {
      const { limit, iterator, order, include_archived, with_content } = request.query;
      const page = await store.eventTypes.list(
        { limit, iterator: iterator ?? null, order: order ?? 'ascending' },
        include_archived,
      );
      return { ...page, data: page.data.map((e) => eventTypeOut(e, with_content)) };
    },
  );

  api.post(
    '/event-type',
    {
      schema: {
        tags,
        operationId: 'v1.event-type.create',
        summary: 'Create an event type',
        body: EventTypeIn,
        response: { 201: EventTypeOut, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { name, ...input } = request.body;
      const created = await store.eventTypes.create(apply(blank(name), input));
      return reply.code(201).send(eventTypeOut(created));
    },
  );

  api.get(
    '/event-type/:event_type_name',
    {
      config: { auth: 'any' },
      schema: {
        tags,
        operationId: 'v1.event-type.get',
        summary: 'Get an event type',
        params: Params,
        response: { 200: EventTypeOut, ...errorResponses },
      },
    },
    async (request) => eventTypeOut(await load(request.params.event_type_name)),
  );

  api.put(
    '/event-type/:event_type_name',
    {
      schema: {
        tags,
        operationId: 'v1.event-type.update',
        summary: 'Update an event type, or create it (201)',
        params: Params,
        body: EventTypeUpdate,
        response: { 200: EventTypeOut, 201: EventTypeOut, ...errorResponses },
      },
    },
    async (request, reply) => {
      const name = request.params.event_type_name;
      const existing = await store.eventTypes.find(name);
      if (existing)
        return reply
          .code(200)
          .send(eventTypeOut(await store.eventTypes.update(apply(existing, request.body))));
      const created = await store.eventTypes.create(apply(blank(name), request.body));
      return reply.code(201).send(eventTypeOut(created));
    },
  );

  api.patch(
    '/event-type/:event_type_name',
    {
      schema: {
        tags,
        operationId: 'v1.event-type.patch',
        summary: 'Change some fields of an event type',
        params: Params,
        body: EventTypePatch,
        response: { 200: EventTypeOut, ...errorResponses },
      },
    },
    async (request) => {
      const existing = await load(request.params.event_type_name);
      return eventTypeOut(await store.eventTypes.update(apply(existing, request.body)));
    },
  );

  api.delete(
    '/event-type/:event_type_name',
    {
      schema: {
        tags,
        operationId: 'v1.event-type.delete',
        summary: 'Archive an event type, or delete it for good with `expunge=true`',
        params: Params,
        querystring: Type.Object({ expunge: Type.Boolean({ default: false }) }),
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const existing = await load(request.params.event_type_name);
      if (request.query.expunge) await store.eventTypes.delete(existing.name);
      else await store.eventTypes.update({ ...existing, archived: true, updatedAt: clock.now() });
      return reply.code(204).send(null);
    },
  );
}
