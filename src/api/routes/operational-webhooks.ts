// /api/v1/operational-webhook/endpoint: where Herald sends its own operational events
// (`endpoint.disabled`, `message.attempt.exhausted`, ...), signed like any webhook.
import { Type } from '@sinclair/typebox';
import { notFound } from '../../domain/errors.ts';
import { operationalEventTypes } from '../../services/operational-events.ts';
import { errorResponses, IdOrUid, ListQuery, ListResponse } from '../schemas/common.ts';
import {
  EndpointIn,
  EndpointOut,
  EndpointPatch,
  EndpointUpdate,
  endpointOut,
} from '../schemas/endpoint.ts';
import type { AppDeps, HeraldFastify } from '../types.ts';
import { secretAndHeaderRoutes } from './endpoint-secret-headers.ts';

const tags = ['Operational Webhook'];
const Params = Type.Object({ endpoint_id: IdOrUid });
const path = '/operational-webhook/endpoint';

export function operationalWebhookRoutes(api: HeraldFastify, deps: AppDeps): void {
  const { store, operationalEndpoints: endpoints } = deps;
  const operationalApp = () => deps.operationalEvents.operationalApp();
  const load = async (idOrUid: string) => {
    const app = await operationalApp();
    const endpoint = await store.endpoints.find(app.id, idOrUid);
    if (!endpoint) throw notFound('operational webhook endpoint');
    return endpoint;
  };
  const op = (name: string, summary: string) => ({
    tags,
    operationId: `v1.operational-webhook.endpoint.${name}`,
    summary,
  });

  api.get(
    path,
    {
      schema: {
        ...op('list', 'List operational webhook endpoints'),
        querystring: ListQuery,
        response: {
          200: ListResponse(EndpointOut, 'OperationalWebhookEndpointOut'),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const app = await operationalApp();
      const { limit, iterator, order } = request.query;
      const page = await store.endpoints.list(app.id, {
        limit,
        iterator: iterator ?? null,
        order: order ?? 'ascending',
      });
      return { ...page, data: page.data.map(endpointOut) };
    },
  );

  api.post(
    path,
    {
      schema: {
        ...op('create', 'Create an operational webhook endpoint'),
        description: `Event types: ${operationalEventTypes.join(', ')}.`,
        body: EndpointIn,
        response: { 201: EndpointOut, ...errorResponses },
      },
    },
    async (request, reply) => {
      const app = await operationalApp();
      return reply.code(201).send(endpointOut(await endpoints.create(app.id, request.body)));
    },
  );

  api.get(
    `${path}/:endpoint_id`,
    {
      schema: {
        ...op('get', 'Get an operational webhook endpoint'),
        params: Params,
        response: { 200: EndpointOut, ...errorResponses },
      },
    },
    async (request) => endpointOut(await load(request.params.endpoint_id)),
  );

  api.put(
    `${path}/:endpoint_id`,
    {
      schema: {
        ...op('update', 'Update an operational webhook endpoint'),
        params: Params,
        body: EndpointUpdate,
        response: { 200: EndpointOut, ...errorResponses },
      },
    },
    async (request) =>
      endpointOut(await endpoints.update(await load(request.params.endpoint_id), request.body)),
  );

  api.patch(
    `${path}/:endpoint_id`,
    {
      schema: {
        ...op('patch', 'Change some fields of an operational webhook endpoint'),
        params: Params,
        body: EndpointPatch,
        response: { 200: EndpointOut, ...errorResponses },
      },
    },
    async (request) =>
      endpointOut(await endpoints.update(await load(request.params.endpoint_id), request.body)),
  );

  api.delete(
    `${path}/:endpoint_id`,
    {
      schema: {
        ...op('delete', 'Delete an operational webhook endpoint'),
        params: Params,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      await endpoints.delete(await load(request.params.endpoint_id));
      return reply.code(204).send(null);
    },
  );

  secretAndHeaderRoutes(api, {
    path: `${path}/:endpoint_id`,
    params: Params,
    auth: 'admin',
    tags,
    operation: 'v1.operational-webhook.endpoint',
    load: (request) => load((request.params as { endpoint_id: string }).endpoint_id),
    service: endpoints,
  });
}
