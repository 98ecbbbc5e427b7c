// The signing secret and custom headers of an endpoint: the same routes serve application
// endpoints and operational webhook endpoints.
import { type TSchema, Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { currentSecret, type Endpoint } from '../../domain/endpoint.ts';
import type { EndpointService } from '../../services/endpoints.ts';
import type { RouteAuth } from '../auth-hook.ts';
import { errorResponses } from '../schemas/common.ts';
import {
  EndpointHeadersIn,
  EndpointHeadersOut,
  EndpointHeadersPatchIn,
  EndpointSecretOut,
  EndpointSecretRotateIn,
  endpointHeadersOut,
} from '../schemas/endpoint.ts';
import type { HeraldFastify } from '../types.ts';

export function secretAndHeaderRoutes(
  api: HeraldFastify,
  options: {
    /** The endpoint's path, e.g. `/app/:app_id/endpoint/:endpoint_id`. */
    path: string;
    params: TSchema;
    auth: RouteAuth;
    tags: string[];
    /** Prefix of the operation ids, e.g. `v1.endpoint`. */
    operation: string;
    load: (request: FastifyRequest) => Promise<Endpoint>;
    service: EndpointService;
  },
): void {
  const { path, params, tags, load, service } = options;
  const config = { auth: options.auth };
  const operationId = (name: string) => `${options.operation}.${name}`;

  api.get(
    `${path}/secret`,
    {
      config,
      schema: {
        tags,
        operationId: operationId('get-secret'),
        summary: "Get the endpoint's current signing secret",
        params,
        response: { 200: EndpointSecretOut, ...errorResponses },
      },
    },
    async (request) => {
      const endpoint = await load(request);
      return { key: currentSecret(endpoint) };
    },
  );

  api.post(
    `${path}/secret/rotate`,
    {
      config,
      schema: {
        tags,
        operationId: operationId('rotate-secret'),
        summary: 'Rotate the signing secret',
        description:
          'The previous secret keeps signing for `gracePeriodSeconds` (default 86400, at most 604800); at most 10 secrets sign at once.',
        params,
        body: Type.Optional(EndpointSecretRotateIn),
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const body = (request.body ?? {}) as { key?: string | null; gracePeriodSeconds?: number };
      await service.rotateSecret(await load(request), body.key, body.gracePeriodSeconds ?? 86_400);
      return reply.code(204).send(null);
    },
  );

  api.get(
    `${path}/headers`,
    {
      config,
      schema: {
        tags,
        operationId: operationId('get-headers'),
        summary: 'Get the custom headers sent to the endpoint',
        description:
          'Values of sensitive headers (authorization, keys, tokens) are not returned; their names are listed in `sensitive`.',
        params,
        response: { 200: EndpointHeadersOut, ...errorResponses },
      },
    },
    async (request) => endpointHeadersOut((await load(request)).headers),
  );

  api.put(
    `${path}/headers`,
    {
      config,
      schema: {
        tags,
        operationId: operationId('update-headers'),
        summary: 'Replace the custom headers',
        params,
        body: EndpointHeadersIn,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const body = request.body as { headers: Record<string, string> };
      await service.setHeaders(await load(request), body.headers);
      return reply.code(204).send(null);
    },
  );

  api.patch(
    `${path}/headers`,
    {
      config,
      schema: {
        tags,
        operationId: operationId('patch-headers'),
        summary: 'Add, change or remove (value null) custom headers',
        params,
        body: EndpointHeadersPatchIn,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const body = request.body as {
        headers: Record<string, string | null>;
        deleteHeaders?: string[];
      };
      await service.patchHeaders(await load(request), body.headers, body.deleteHeaders);
      return reply.code(204).send(null);
    },
  );
}
