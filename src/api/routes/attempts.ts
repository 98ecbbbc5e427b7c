// Attempts and deliveries: what was sent where, and manual resends and recovery.
import { Type } from '@sinclair/typebox';
import { invalid, notFound } from '../../domain/errors.ts';
import type { MessageStatus } from '../../domain/message.ts';
import type { AttemptFilter } from '../../store/deliveries.ts';
import { hidesPrivateResponses } from '../least-exposure.ts';
import { loadMessage, loadPathEndpoint } from '../load.ts';
import { Empty, errorResponses, IdOrUid, Iterator, ListResponse } from '../schemas/common.ts';
import { MessageEndpointOut, messageEndpointOut } from '../schemas/endpoint.ts';
import {
  EndpointMessageOut,
  endpointMessageOut,
  MessageAttemptOut,
  messageAttemptOut,
} from '../schemas/message.ts';
import { AttemptListQuery, MessageListQuery, messageFilter } from '../schemas/queries.ts';
import type { AppDeps, HeraldFastify } from '../types.ts';

const tags = ['Message Attempt'];
const EndpointParams = Type.Object({ app_id: IdOrUid, endpoint_id: IdOrUid });
const MessageParams = Type.Object({ app_id: IdOrUid, msg_id: IdOrUid });
const AttemptParams = Type.Object({ app_id: IdOrUid, msg_id: IdOrUid, attempt_id: IdOrUid });
const app = { auth: 'app' as const };

export function attemptRoutes(api: HeraldFastify, deps: AppDeps): void {
  const { store, clock } = deps;

  const attemptFilter = (q: {
    status?: number;
    status_code_class?: number;
    endpoint_id?: string;
  }): Omit<AttemptFilter, keyof ReturnType<typeof messageFilter>> => ({
    ...(q.status !== undefined ? { status: q.status as MessageStatus } : {}),
    ...(q.status_code_class !== undefined ? { statusCodeClass: q.status_code_class } : {}),
  });

  api.get(
    '/app/:app_id/attempt/endpoint/:endpoint_id',
    {
      config: app,
      schema: {
        tags,
        operationId: 'v1.message-attempt.list-by-endpoint',
        summary: 'List the attempts made to an endpoint, newest first',
        params: EndpointParams,
        querystring: AttemptListQuery,
        response: { 200: ListResponse(MessageAttemptOut, 'MessageAttemptOut'), ...errorResponses },
      },
    },
    async (request) => {
      const { endpoint } = await loadPathEndpoint(store, request);
      const q = request.query;
      const page = await store.deliveries.listAttemptsByEndpoint(
        endpoint.id,
        { ...messageFilter(q), ...attemptFilter(q) },
        { limit: q.limit, iterator: q.iterator ?? null, order: q.order ?? 'descending' },
      );
      const hide = hidesPrivateResponses(request, deps.config);
      return { ...page, data: page.data.map((a) => messageAttemptOut(a, hide)) };
    },
  );

  api.get(
    '/app/:app_id/attempt/msg/:msg_id',
    {
      config: app,
      schema: {
        tags,
        operationId: 'v1.message-attempt.list-by-msg',
        summary: 'List the attempts made for a message, newest first',
        params: MessageParams,
        querystring: AttemptListQuery,
        response: { 200: ListResponse(MessageAttemptOut, 'MessageAttemptOut'), ...errorResponses },
      },
    },
    async (request) => {
      const { app: application, message } = await loadMessage(
        store,
        request,
        request.params.app_id,
        request.params.msg_id,
      );
      const q = request.query;
      let endpointId: string | undefined;
      if (q.endpoint_id) {
        const endpoint = await store.endpoints.find(application.id, q.endpoint_id);
        if (!endpoint) throw notFound('endpoint');
        endpointId = endpoint.id;
      }
      const page = await store.deliveries.listAttemptsByMessage(
        message.id,
        { ...messageFilter(q), ...attemptFilter(q), ...(endpointId ? { endpointId } : {}) },
        { limit: q.limit, iterator: q.iterator ?? null, order: q.order ?? 'descending' },
      );
      return {
        ...page,
        data: page.data.map((a) =>
          messageAttemptOut(
            a,
            hidesPrivateResponses(request, deps.config),
            q.with_msg ? message : undefined,
          ),
        ),
      };
    },
  );

  api.get(
    '/app/:app_id/endpoint/:endpoint_id/msg',
    {
      config: app,
      schema: {
        tags,
        operationId: 'v1.message-attempt.list-attempted-messages',
        summary: 'List the messages sent to an endpoint, with each delivery status, newest first',
        params: EndpointParams,
        querystring: Type.Composite([
          MessageListQuery,
          Type.Object({ status: Type.Optional(Type.Integer({ minimum: 0, maximum: 3 })) }),
        ]),
        response: {
          200: ListResponse(EndpointMessageOut, 'EndpointMessageOut'),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { endpoint } = await loadPathEndpoint(store, request);
      const q = request.query;
      const page = await store.deliveries.listByEndpoint(
        endpoint.id,
        {
          ...messageFilter(q),
          ...(q.status !== undefined ? { status: q.status as MessageStatus } : {}),
        },
        { limit: q.limit, iterator: q.iterator ?? null, order: q.order ?? 'descending' },
      );
      return {
        ...page,
        data: page.data.map((x) => endpointMessageOut(x.message, x.delivery, q.with_content)),
      };
    },
  );

  api.get(
    '/app/:app_id/msg/:msg_id/endpoint',
    {
      config: app,
      schema: {
        tags,
        operationId: 'v1.message-attempt.list-attempted-destinations',
        summary: 'List the endpoints a message goes to, with each delivery status',
        params: MessageParams,
        querystring: Type.Object({
          limit: Type.Integer({ minimum: 1, maximum: 250, default: 50 }),
          iterator: Type.Optional(Iterator),
        }),
        response: {
          200: ListResponse(MessageEndpointOut, 'MessageEndpointOut'),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { message } = await loadMessage(
        store,
        request,
        request.params.app_id,
        request.params.msg_id,
      );
      const q = request.query;
      const page = await store.deliveries.listByMessage(message.id, {
        limit: q.limit,
        iterator: q.iterator ?? null,
        order: 'ascending',
      });
      return { ...page, data: page.data.map((x) => messageEndpointOut(x.endpoint, x.delivery)) };
    },
  );

  api.get(
    '/app/:app_id/msg/:msg_id/attempt/:attempt_id',
    {
      config: app,
      schema: {
        tags,
        operationId: 'v1.message-attempt.get',
        summary: 'Get one attempt',
        params: AttemptParams,
        response: { 200: MessageAttemptOut, ...errorResponses },
      },
    },
    async (request) => {
      const { message } = await loadMessage(
        store,
        request,
        request.params.app_id,
        request.params.msg_id,
      );
      const attempt = await store.deliveries.findAttempt(message.id, request.params.attempt_id);
      if (!attempt) throw notFound('message attempt');
      return messageAttemptOut(attempt, hidesPrivateResponses(request, deps.config));
    },
  );

  api.delete(
    '/app/:app_id/msg/:msg_id/attempt/:attempt_id/content',
    {
      schema: {
        tags,
        operationId: 'v1.message-attempt.expunge-content',
        summary: "Delete an attempt's recorded response body",
        params: AttemptParams,
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
      const attempt = await store.deliveries.findAttempt(message.id, request.params.attempt_id);
      if (!attempt) throw notFound('message attempt');
      await store.deliveries.expungeAttemptContent(attempt.id);
      return reply.code(204).send(null);
    },
  );

  api.post(
    '/app/:app_id/msg/:msg_id/endpoint/:endpoint_id/resend',
    {
      config: app,
      schema: {
        tags,
        operationId: 'v1.message-attempt.resend',
        summary: 'Send a message to an endpoint once more (a manual attempt)',
        params: Type.Object({ app_id: IdOrUid, msg_id: IdOrUid, endpoint_id: IdOrUid }),
        response: { 202: Empty, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { app: application, message } = await loadMessage(
        store,
        request,
        request.params.app_id,
        request.params.msg_id,
      );
      const endpoint = await store.endpoints.find(application.id, request.params.endpoint_id);
      if (!endpoint) throw notFound('endpoint');
      if (message.payload === null)
        throw invalid(['path', 'msg_id'], 'the message payload has expired or was deleted');
      await store.deliveries.queueManual(message.id, endpoint.id, application.id, clock.now());
      deps.events.deliveriesQueued();
      return reply.code(202).send({});
    },
  );
}
