// /api/v1/app/{app_id}/endpoint: where an application's webhooks go.
import { Type } from '@sinclair/typebox';
import { invalid, notFound } from '../../domain/errors.ts';
import { isId } from '../../domain/ids.ts';
import { hidesPrivateResponses } from '../least-exposure.ts';
import { checkUid, loadApp, loadEndpoint, loadPathEndpoint } from '../load.ts';
import { DateTime, errorResponses, IdOrUid, ListQuery, ListResponse } from '../schemas/common.ts';
import {
  EndpointIn,
  EndpointOut,
  EndpointPatch,
  EndpointStats,
  EndpointUpdate,
  endpointOut,
} from '../schemas/endpoint.ts';
import type { AppDeps, HeraldFastify } from '../types.ts';
import { secretAndHeaderRoutes } from './endpoint-secret-headers.ts';

const AppParams = Type.Object({ app_id: IdOrUid });
const EndpointParams = Type.Object({ app_id: IdOrUid, endpoint_id: IdOrUid });
const tags = ['Endpoint'];
const app = { auth: 'app' as const };

export function endpointRoutes(api: HeraldFastify, deps: AppDeps): void {
  const { store, clock, endpoints } = deps;

  api.get(
    '/app/:app_id/endpoint',
    {
      config: app,
      schema: {
        tags,
        operationId: 'v1.endpoint.list',
        summary: 'List the endpoints of an application',
        params: AppParams,
        querystring: ListQuery,
        response: { 200: ListResponse(EndpointOut, 'EndpointOut'), ...errorResponses },
      },
    },
    async (request) => {
      const application = await loadApp(store, request, request.params.app_id);
      const { limit, iterator, order } = request.query;
      const page = await store.endpoints.list(application.id, {
        limit,
        iterator: iterator ?? null,
        order: order ?? 'descending',
      });
      return { ...page, data: page.data.map(endpointOut) };
    },
  );

  api.post(
    '/app/:app_id/endpoint',
    {
      config: app,
      schema: {
        tags,
        operationId: 'v1.endpoint.create',
        summary: 'Create an endpoint',
        description: 'Without `secret`, a `whsec_` secret is generated.',
        params: AppParams,
        body: EndpointIn,
        response: { 201: EndpointOut, ...errorResponses },
      },
    },
    async (request, reply) => {
      const application = await loadApp(store, request, request.params.app_id);
      if (request.body.uid) checkUid(request.body.uid, 'endpoint');
      const created = await endpoints.create(application.id, request.body);
      return reply.code(201).send(endpointOut(created));
    },
  );

  api.get(
    '/app/:app_id/endpoint/:endpoint_id',
    {
      config: app,
      schema: {
        tags,
        operationId: 'v1.endpoint.get',
        summary: 'Get an endpoint',
        params: EndpointParams,
        response: { 200: EndpointOut, ...errorResponses },
      },
    },
    async (request) => {
      const { endpoint } = await loadPathEndpoint(store, request);
      return endpointOut(endpoint);
    },
  );

  api.put(
    '/app/:app_id/endpoint/:endpoint_id',
    {
      config: app,
      schema: {
        tags,
        operationId: 'v1.endpoint.update',
        summary: 'Update an endpoint, or create it with this uid (201)',
        params: EndpointParams,
        body: EndpointUpdate,
        response: { 200: EndpointOut, 201: EndpointOut, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { app_id, endpoint_id } = request.params;
      const application = await loadApp(store, request, app_id);
      if (request.body.uid) checkUid(request.body.uid, 'endpoint');
      const existing = await store.endpoints.find(application.id, endpoint_id);
      if (existing)
        return reply.code(200).send(endpointOut(await endpoints.update(existing, request.body)));
      if (isId('endpoint', endpoint_id)) throw notFound('endpoint');
      const created = await endpoints.create(application.id, { uid: endpoint_id, ...request.body });
      return reply.code(201).send(endpointOut(created));
    },
  );

  api.patch(
    '/app/:app_id/endpoint/:endpoint_id',
    {
      config: app,
      schema: {
        tags,
        operationId: 'v1.endpoint.patch',
        summary: 'Change some fields of an endpoint; `disabled: false` re-enables it',
        params: EndpointParams,
        body: EndpointPatch,
        response: { 200: EndpointOut, ...errorResponses },
      },
    },
    async (request) => {
      const { endpoint } = await loadPathEndpoint(store, request);
      if (request.body.uid) checkUid(request.body.uid, 'endpoint');
      return endpointOut(await endpoints.update(endpoint, request.body));
    },
  );

  api.delete(
    '/app/:app_id/endpoint/:endpoint_id',
    {
      config: app,
      schema: {
        tags,
        operationId: 'v1.endpoint.delete',
        summary: 'Delete an endpoint',
        params: EndpointParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const { endpoint } = await loadPathEndpoint(store, request);
      await endpoints.delete(endpoint);
      return reply.code(204).send(null);
    },
  );

  secretAndHeaderRoutes(api, {
    path: '/app/:app_id/endpoint/:endpoint_id',
    params: EndpointParams,
    auth: 'app',
    tags,
    operation: 'v1.endpoint',
    load: async (request) => (await loadPathEndpoint(store, request)).endpoint,
    service: endpoints,
  });

  api.get(
    '/app/:app_id/endpoint/:endpoint_id/stats',
    {
      config: app,
      schema: {
        tags,
        operationId: 'v1.endpoint.get-stats',
        summary: "Count the endpoint's deliveries by status",
        params: EndpointParams,
        querystring: Type.Object({
          since: Type.Optional(DateTime),
          until: Type.Optional(DateTime),
        }),
        response: { 200: EndpointStats, ...errorResponses },
      },
    },
    async (request) => {
      const { endpoint } = await loadPathEndpoint(store, request);
      const since = request.query.since ? Date.parse(request.query.since) : undefined;
      const until = request.query.until ? Date.parse(request.query.until) : undefined;
      if (since !== undefined && until !== undefined && since > until) {
        throw invalid(['query', 'since'], 'since must not be after until');
      }
      const counts = await store.deliveryStats.countByStatus(
        endpoint.id,
        since,
        until ?? clock.now() + 1,
      );
      return {
        success: counts[0],
        pending: counts[1],
        fail: counts[2],
        sending: counts[3],
        canceled: 0,
      };
    },
  );
}

const EndpointTestOut = Type.Object(
  {
    success: Type.Boolean(),
    statusCode: Type.Union([Type.Integer(), Type.Null()]),
    durationMs: Type.Integer(),
    response: Type.String(),
    error: Type.Union([Type.String(), Type.Null()]),
    responseHidden: Type.Union([
      Type.Literal('private_destination', {
        description:
          '`private_destination` when the request went to a private address the operator allowed (`HERALD_ALLOWED_SUBNETS`) and the caller is an application token: `response` is then empty, and `error` says no more than that an error happened. Null otherwise.',
      }),
      Type.Null(),
    ]),
  },
  { title: 'EndpointTestOut' },
);

/** POST .../test: a test request sent at once, with its status and duration. */
export function endpointTestRoute(api: HeraldFastify, deps: AppDeps): void {
  api.post(
    '/app/:app_id/endpoint/:endpoint_id/test',
    {
      config: app,
      schema: {
        tags,
        operationId: 'v1.endpoint.test',
        summary: 'Send the endpoint a test request now and report status and duration',
        description:
          'A Herald extension: the request is rendered as a delivery of the endpoint would be (format, envelope, Content-Type, signature and every header of its policy), with the sample event `{"event": "herald.test", "test": true}` of type `herald.test`, or an empty body when the policy sets `testBody: "empty"`. Nothing is queued or recorded.',
        params: EndpointParams,
        response: { 200: EndpointTestOut, ...errorResponses },
      },
    },
    async (request) => {
      const { endpoint } = await loadEndpoint(
        deps.store,
        request,
        request.params.app_id,
        request.params.endpoint_id,
      );
      const { privateDestination, ...result } = await deps.testEndpoint(endpoint);
      if (!privateDestination || !hidesPrivateResponses(request, deps.config))
        return { ...result, responseHidden: null };
      // An error can quote the answer too (a redirect's Location).
      return {
        ...result,
        response: '',
        error: result.error === null ? null : 'the request failed (details hidden)',
        responseHidden: 'private_destination' as const,
      };
    },
  );
}
