// /api/v1/app/{app_id}/msg: publishing and reading messages.
import { Type } from '@sinclair/typebox';
import { endpointMatches } from '../../domain/endpoint.ts';
import { HeraldError, notFound } from '../../domain/errors.ts';
import { exampleOf } from '../../domain/event-type.ts';
import { loadOrCreateApp } from '../inline-application.ts';
import { loadApp, loadMessage, loadPathEndpoint } from '../load.ts';
import { errorResponses, IdOrUid, ListResponse } from '../schemas/common.ts';
import {
  EventTypeName,
  MessageIn,
  MessageOut,
  messageOut,
  messageOutJson,
} from '../schemas/message.ts';
import { MessageListQuery, messageFilter } from '../schemas/queries.ts';
import type { AppDeps, HeraldFastify } from '../types.ts';

const AppParams = Type.Object({ app_id: IdOrUid });
const MessageParams = Type.Object({ app_id: IdOrUid, msg_id: IdOrUid });
const tags = ['Message'];
const WithContent = Type.Object({ with_content: Type.Boolean({ default: true }) });

export function messageRoutes(api: HeraldFastify, deps: AppDeps): void {
  const { store, messages } = deps;

  api.get(
    '/app/:app_id/msg',
    {
      config: { auth: 'app' },
      schema: {
        tags,
        operationId: 'v1.message.list',
        summary: 'List the messages of an application, newest first',
        params: AppParams,
        querystring: MessageListQuery,
        response: { 200: ListResponse(MessageOut, 'MessageOut'), ...errorResponses },
      },
    },
    async (request) => {
      const application = await loadApp(store, request, request.params.app_id);
      const q = request.query;
      const page = await store.messages.list(application.id, messageFilter(q), {
        limit: q.limit,
        iterator: q.iterator ?? null,
        order: q.order ?? 'descending',
      });
      return { ...page, data: page.data.map((m) => messageOut(m, q.with_content)) };
    },
  );

  api.post(
    '/app/:app_id/msg',
    {
      schema: {
        tags,
        operationId: 'v1.message.create',
        summary: 'Publish a message',
        description:
          'Stores the message and queues one delivery per enabled endpoint whose event-type filter and channels match. A repeated `eventId` is a 409.',
        params: AppParams,
        querystring: WithContent,
        body: MessageIn,
        response: { 202: MessageOut, ...errorResponses },
      },
    },
    async (request, reply) => {
      const application = await loadOrCreateApp(
        deps,
        request,
        request.params.app_id,
        request.body.application,
      );
      const message = await messages.publish(application, request.body, { reqId: request.id });
      // Already JSON: Fastify sends a string as it is (the schema still documents it).
      const body = messageOutJson(message, request.query.with_content) as never;
      return reply.code(202).type('application/json; charset=utf-8').send(body);
    },
  );

  api.post(
    '/app/:app_id/msg/precheck/active',
    {
      schema: {
        tags,
        operationId: 'v1.message.precheck',
        summary:
          'Tell whether a message with this event type and channels would reach any endpoint',
        params: AppParams,
        body: Type.Object({
          eventType: EventTypeName,
          channels: Type.Optional(Type.Union([Type.Array(Type.String()), Type.Null()])),
        }),
        response: { 200: Type.Object({ active: Type.Boolean() }), ...errorResponses },
      },
    },
    async (request) => {
      const application = await loadApp(store, request, request.params.app_id);
      const message = {
        eventType: request.body.eventType,
        channels: request.body.channels ?? null,
      };
      const active = (await store.endpoints.listEnabled(application.id)).some((e) =>
        endpointMatches(e, message),
      );
      return { active };
    },
  );

  api.get(
    '/app/:app_id/msg/:msg_id',
    {
      config: { auth: 'app' },
      schema: {
        tags,
        operationId: 'v1.message.get',
        summary: 'Get a message by id or eventId',
        params: MessageParams,
        querystring: WithContent,
        response: { 200: MessageOut, ...errorResponses },
      },
    },
    async (request) => {
      const { message } = await loadMessage(
        store,
        request,
        request.params.app_id,
        request.params.msg_id,
      );
      return messageOut(message, request.query.with_content);
    },
  );

  api.delete(
    '/app/:app_id/msg/:msg_id/content',
    {
      schema: {
        tags,
        operationId: 'v1.message.expunge-content',
        summary: "Delete a message's payload for good",
        params: MessageParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const { message } = await loadMessage(
        store,
        request,
        request.params.app_id,
        request.params.msg_id,
      );
      await store.messages.expungeContent(message.id);
      return reply.code(204).send(null);
    },
  );

  api.post(
    '/app/:app_id/endpoint/:endpoint_id/send-example',
    {
      config: { auth: 'app' },
      schema: {
        tags: ['Endpoint'],
        operationId: 'v1.endpoint.send-example',
        summary: "Send an event type's example payload to one endpoint",
        description:
          '`svix.ping` sends `{"success": true}`; other event types send the first example of their schema.',
        params: Type.Object({ app_id: IdOrUid, endpoint_id: IdOrUid }),
        body: Type.Object({ eventType: EventTypeName }),
        response: { 202: MessageOut, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { app, endpoint } = await loadPathEndpoint(store, request);
      const { eventType } = request.body;
      let payload: Record<string, unknown> | null = { success: true };
      if (eventType !== 'svix.ping') {
        const type = await store.eventTypes.find(eventType);
        if (!type) throw notFound('event type');
        payload = exampleOf(type);
        if (!payload)
          throw new HeraldError(
            'generic_error',
            `event type "${eventType}" has no example in its schema`,
          );
      }
      const message = await messages.publishTo(
        app,
        endpoint,
        { eventType, payload },
        { reqId: request.id },
      );
      return reply.code(202).send(messageOut(message));
    },
  );
}
