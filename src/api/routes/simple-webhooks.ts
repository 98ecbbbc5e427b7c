// The simple webhooks API (`/v1/webhooks`, `/v1/events`): the small REST contract many
// products document for their customers, served on one default application whose endpoints
// use the `generic-rest` delivery policy (hex HMAC-SHA256 of the body in X-Webhook-Signature,
// `{id, type, created_at, data: {object}, previous_data}` envelope, 5 s timeout, retries at
// 1 m, 5 m, 30 m, 2 h, then the webhook is disabled).

import { Type } from '@sinclair/typebox';
import type { Application } from '../../domain/application.ts';
import { currentSecret, type Endpoint } from '../../domain/endpoint.ts';
import { notFound, ValidationError } from '../../domain/errors.ts';
import { maskCredentials } from '../../domain/url-credentials.ts';
import { errorResponses, iso } from '../schemas/common.ts';
import { Url } from '../schemas/endpoint.ts';
import { EventTypeName } from '../schemas/message.ts';
import type { AppDeps, HeraldFastify } from '../types.ts';

export const simpleApiAppUid = 'default';
const tags = ['Simple webhooks API'];
const Events = Type.Array(EventTypeName, { minItems: 1, uniqueItems: true });
const Secret = Type.String({ minLength: 8, maxLength: 256 });
const WebhookOut = Type.Object(
  {
    id: Type.String(),
    url: Type.String(),
    events: Type.Array(Type.String()),
    description: Type.String(),
    status: Type.Union([Type.Literal('enabled'), Type.Literal('disabled')]),
    secret: Type.Optional(Type.String()),
    created_at: Type.String(),
    updated_at: Type.String(),
  },
  { title: 'WebhookOut' },
);
const Params = Type.Object({ id: Type.String({ maxLength: 256 }) });

const webhookOut = (e: Endpoint, withSecret = false) => ({
  id: e.id,
  url: maskCredentials(e.url),
  events: e.filterTypes ?? [],
  description: e.description,
  status: e.disabled ? ('disabled' as const) : ('enabled' as const),
  ...(withSecret ? { secret: currentSecret(e) } : {}),
  created_at: iso(e.createdAt),
  updated_at: iso(e.updatedAt),
});

/** Changed fields of an update: the previous values of the keys whose values differ. */
export function changedFields(
  previous: Record<string, unknown>,
  current: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(previous)) {
    if (JSON.stringify(value) !== JSON.stringify(current[key])) out[key] = value;
  }
  return out;
}

/** Refusals of the endpoint service name its `filterTypes`; this API's field is `events`. */
async function asEvents<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    throw new ValidationError(
      error.issues.map((issue) =>
        issue.loc[0] === 'body' && issue.loc[1] === 'filterTypes'
          ? { ...issue, loc: ['body', 'events', ...issue.loc.slice(2)] }
          : issue,
      ),
    );
  }
}

export function simpleWebhookRoutes(api: HeraldFastify, deps: AppDeps): void {
  const { store, clock, endpoints, messages } = deps;

  // Looked up on every call, not kept: the application can be deleted through /api/v1, and
  // is then made again instead of leaving the webhooks API pointing at nothing.
  const application = async (): Promise<Application> => {
    let defaultApp = await store.applications.find(simpleApiAppUid);
    if (!defaultApp) {
      const now = clock.now();
      try {
        defaultApp = await store.applications.create({
          id: deps.newId('application'),
          uid: simpleApiAppUid,
          name: 'Default application (simple webhooks API)',
          rateLimit: null,
          metadata: {},
          policy: { preset: 'generic-rest' },
          createdAt: now,
          updatedAt: now,
        });
      } catch {
        defaultApp = await store.applications.find(simpleApiAppUid);
      }
    }
    if (!defaultApp) throw notFound('default application');
    return defaultApp;
  };
  const load = async (id: string) => {
    const endpoint = await store.endpoints.find((await application()).id, id);
    if (!endpoint) throw notFound('webhook');
    return endpoint;
  };

  api.post(
    '/v1/webhooks',
    {
      schema: {
        tags,
        operationId: 'simple.webhooks.create',
        summary: 'Register a webhook; the answer carries its signing secret',
        body: Type.Object({
          url: Url,
          events: Events,
          secret: Type.Optional(Secret),
          description: Type.Optional(Type.String({ maxLength: 4096 })),
        }),
        response: { 201: WebhookOut, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { url, events, secret, description } = request.body;
      const created = await asEvents(
        endpoints.create((await application()).id, {
          url,
          filterTypes: events,
          ...(secret ? { secret } : {}),
          ...(description ? { description } : {}),
        }),
      );
      return reply.code(201).send(webhookOut(created, true));
    },
  );

  api.get(
    '/v1/webhooks',
    {
      schema: {
        tags,
        operationId: 'simple.webhooks.list',
        summary: 'List webhooks',
        response: { 200: Type.Object({ data: Type.Array(WebhookOut) }), ...errorResponses },
      },
    },
    async () => {
      const page = await store.endpoints.list((await application()).id, {
        limit: 250,
        iterator: null,
        order: 'ascending',
      });
      return { data: page.data.map((e) => webhookOut(e)) };
    },
  );

  api.get(
    '/v1/webhooks/:id',
    {
      schema: {
        tags,
        operationId: 'simple.webhooks.get',
        summary: 'Get a webhook',
        params: Params,
        response: { 200: WebhookOut, ...errorResponses },
      },
    },
    async (request) => webhookOut(await load(request.params.id)),
  );

  api.patch(
    '/v1/webhooks/:id',
    {
      schema: {
        tags,
        operationId: 'simple.webhooks.update',
        summary: 'Change a webhook (`status: "enabled"` re-enables it)',
        params: Params,
        body: Type.Object({
          url: Type.Optional(Url),
          events: Type.Optional(Events),
          secret: Type.Optional(Secret),
          description: Type.Optional(Type.String({ maxLength: 4096 })),
          status: Type.Optional(Type.Union([Type.Literal('enabled'), Type.Literal('disabled')])),
        }),
        response: { 200: WebhookOut, ...errorResponses },
      },
    },
    async (request) => {
      const { url, events, secret, description, status } = request.body;
      const updated = await asEvents(
        endpoints.update(await load(request.params.id), {
          ...(url ? { url } : {}),
          ...(events ? { filterTypes: events } : {}),
          ...(secret ? { secret } : {}),
          ...(description !== undefined ? { description } : {}),
          ...(status ? { disabled: status === 'disabled' } : {}),
        }),
      );
      return webhookOut(updated, Boolean(secret));
    },
  );

  api.delete(
    '/v1/webhooks/:id',
    {
      schema: {
        tags,
        operationId: 'simple.webhooks.delete',
        summary: 'Delete a webhook',
        params: Params,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      await endpoints.delete(await load(request.params.id));
      return reply.code(204).send(null);
    },
  );

  const EventOut = Type.Object({
    id: Type.String(),
    type: Type.String(),
    created_at: Type.String(),
  });

  api.post(
    '/v1/webhooks/test',
    {
      schema: {
        tags,
        operationId: 'simple.webhooks.test',
        summary: 'Send one webhook a test event of a type',
        body: Type.Object({
          webhook_id: Type.String({ maxLength: 256 }),
          event_type: EventTypeName,
        }),
        response: { 202: EventOut, ...errorResponses },
      },
    },
    async (request, reply) => {
      const endpoint = await load(request.body.webhook_id);
      const type = request.body.event_type;
      const message = await messages.publishTo(
        await application(),
        endpoint,
        {
          eventType: type,
          payload: { object: { id: 'test', test: true }, previous_data: null },
        },
        { reqId: request.id },
      );
      return reply.code(202).send({ id: message.id, type, created_at: iso(message.createdAt) });
    },
  );

  api.post(
    '/v1/events',
    {
      schema: {
        tags,
        operationId: 'simple.events.create',
        summary: 'Publish an event to every webhook subscribed to its type',
        description:
          'For update events, give the object as it was in `previous` (its changed fields become `previous_data`) or give `previous_data` directly. `id` makes publishing idempotent (409 on a repeat).',
        body: Type.Object({
          type: EventTypeName,
          id: Type.Optional(
            Type.String({ minLength: 1, maxLength: 256, pattern: '^[a-zA-Z0-9\\-_.]+$' }),
          ),
          data: Type.Object({ object: Type.Object({}, { additionalProperties: true }) }),
          previous: Type.Optional(Type.Object({}, { additionalProperties: true })),
          previous_data: Type.Optional(
            Type.Union([Type.Object({}, { additionalProperties: true }), Type.Null()]),
          ),
        }),
        response: { 202: EventOut, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { type, id, data, previous, previous_data } = request.body;
      const previousData = previous
        ? changedFields(previous, data.object)
        : (previous_data ?? null);
      const message = await messages.publish(
        await application(),
        {
          eventType: type,
          eventId: id ?? null,
          payload: { object: data.object, previous_data: previousData },
        },
        { reqId: request.id },
      );
      return reply.code(202).send({ id: message.id, type, created_at: iso(message.createdAt) });
    },
  );
}
