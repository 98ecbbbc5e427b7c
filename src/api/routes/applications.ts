// /api/v1/app: the producer's customers.
import { Type } from '@sinclair/typebox';
import type { Application } from '../../domain/application.ts';
import { checkPolicyLimits, type DeliveryPolicy } from '../../domain/delivery-policy.ts';
import { notFound } from '../../domain/errors.ts';
import { isId } from '../../domain/ids.ts';
import { checkUid, loadApp } from '../load.ts';
import {
  ApplicationIn,
  ApplicationOut,
  ApplicationPatch,
  applicationOut,
} from '../schemas/application.ts';
import { errorResponses, IdOrUid, ListQuery, ListResponse } from '../schemas/common.ts';
import type { AppDeps, HeraldFastify } from '../types.ts';

const AppParams = Type.Object({ app_id: IdOrUid });
const tags = ['Application'];

export function applicationRoutes(app: HeraldFastify, deps: AppDeps): void {
  const { store, clock, newId } = deps;
  const fields = (body: ApplicationInput, base?: Application) => {
    checkPolicyLimits(body.policy, deps.config, ['body', 'policy']);
    return applicationFields(body, base);
  };

  app.get(
    '/app',
    {
      schema: {
        tags,
        operationId: 'v1.application.list',
        summary: 'List applications',
        description:
          '`search` (a Herald extension) keeps the applications whose name or uid contains it, ignoring case, or whose id it is.',
        querystring: Type.Composite([
          ListQuery,
          Type.Object({ search: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })) }),
        ]),
        response: { 200: ListResponse(ApplicationOut, 'ApplicationOut'), ...errorResponses },
      },
    },
    async (request) => {
      const { limit, iterator, order, search } = request.query;
      const page = await store.applications.list(
        { limit, iterator: iterator ?? null, order: order ?? 'ascending' },
        search,
      );
      return { ...page, data: page.data.map(applicationOut) };
    },
  );

  app.post(
    '/app',
    {
      schema: {
        tags,
        operationId: 'v1.application.create',
        summary: 'Create an application',
        description:
          'With `get_if_exists=true`, an existing application with the same uid is returned (200).',
        querystring: Type.Object({ get_if_exists: Type.Boolean({ default: false }) }),
        body: ApplicationIn,
        response: { 200: ApplicationOut, 201: ApplicationOut, ...errorResponses },
      },
    },
    async (request, reply) => {
      const body = request.body;
      if (request.query.get_if_exists && body.uid) {
        const existing = await store.applications.find(body.uid);
        if (existing && existing.uid === body.uid)
          return reply.code(200).send(applicationOut(existing));
      }
      const now = clock.now();
      const created = await store.applications.create({
        id: newId('application'),
        ...fields(body),
        createdAt: now,
        updatedAt: now,
      });
      return reply.code(201).send(applicationOut(created));
    },
  );

  app.get(
    '/app/:app_id',
    {
      config: { auth: 'app' },
      schema: {
        tags,
        operationId: 'v1.application.get',
        summary: 'Get an application',
        params: AppParams,
        response: { 200: ApplicationOut, ...errorResponses },
      },
    },
    async (request) => applicationOut(await loadApp(store, request, request.params.app_id)),
  );

  app.put(
    '/app/:app_id',
    {
      schema: {
        tags,
        operationId: 'v1.application.update',
        summary: 'Update an application, or create it with this uid (201)',
        params: AppParams,
        body: ApplicationIn,
        response: { 200: ApplicationOut, 201: ApplicationOut, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { app_id } = request.params;
      const existing = await store.applications.find(app_id);
      if (existing) {
        // A PUT replaces the fields it carries; an application keeps its uid unless given one.
        const body = {
          ...request.body,
          uid: request.body.uid === undefined ? existing.uid : request.body.uid,
        };
        const updated = await store.applications.update(existing.id, fields(body), clock.now());
        if (!updated) throw notFound('application');
        return reply.code(200).send(applicationOut(updated));
      }
      // An id that matches no application is a 404; anything else names one to create by uid.
      if (isId('application', app_id)) throw notFound('application');
      const now = clock.now();
      const created = await store.applications.create({
        id: newId('application'),
        ...fields(request.body),
        uid: request.body.uid ?? app_id,
        createdAt: now,
        updatedAt: now,
      });
      return reply.code(201).send(applicationOut(created));
    },
  );

  app.patch(
    '/app/:app_id',
    {
      schema: {
        tags,
        operationId: 'v1.application.patch',
        summary: 'Change some fields of an application',
        params: AppParams,
        body: ApplicationPatch,
        response: { 200: ApplicationOut, ...errorResponses },
      },
    },
    async (request) => {
      const existing = await loadApp(store, request, request.params.app_id);
      const updated = await store.applications.update(
        existing.id,
        fields(request.body, existing),
        clock.now(),
      );
      if (!updated) throw notFound('application');
      return applicationOut(updated);
    },
  );

  app.delete(
    '/app/:app_id',
    {
      schema: {
        tags,
        operationId: 'v1.application.delete',
        summary: 'Delete an application with its endpoints and messages',
        params: AppParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const existing = await loadApp(store, request, request.params.app_id);
      await store.applications.delete(existing.id);
      return reply.code(204).send(null);
    },
  );
}

/** An application's stored fields from a request body, over `base` for a partial update. */
export function applicationFields(body: ApplicationInput, base?: Application) {
  if (body.uid) checkUid(body.uid);
  return {
    name: body.name ?? base?.name ?? '',
    uid: body.uid === undefined ? (base?.uid ?? null) : body.uid,
    rateLimit: pickRate(body, base?.rateLimit ?? null),
    metadata: body.metadata ?? base?.metadata ?? {},
    policy: body.policy === undefined ? (base?.policy ?? null) : body.policy,
  };
}

export type ApplicationInput = {
  name?: string;
  uid?: string | null;
  rateLimit?: number | null;
  throttleRate?: number | null;
  metadata?: Record<string, string>;
  policy?: DeliveryPolicy | null;
};

/** `throttleRate` (2.x SDKs) and `rateLimit` (1.x) name the same setting. */
export function pickRate(
  body: { rateLimit?: number | null; throttleRate?: number | null },
  fallback: number | null,
) {
  if (body.throttleRate !== undefined) return body.throttleRate;
  if (body.rateLimit !== undefined) return body.rateLimit;
  return fallback;
}
