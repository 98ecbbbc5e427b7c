// Long operations on one endpoint (recover, replay-missing, bulk-replay): each answers 202
// with a background task whose outcome /api/v1/background-task shows.
import { type TSchema, Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { Endpoint } from '../../domain/endpoint.ts';
import { invalid } from '../../domain/errors.ts';
import type { MessageStatus } from '../../domain/message.ts';
import { loadEndpoint } from '../load.ts';
import { DateTime, errorResponses, IdOrUid, iso, Nullable } from '../schemas/common.ts';
import type { AppDeps, HeraldFastify } from '../types.ts';

export const RecoverOut = Type.Object(
  {
    id: Type.String(),
    status: Type.Union([Type.Literal('running'), Type.Literal('finished'), Type.Literal('failed')]),
    task: Type.String(),
    updatedAt: DateTime,
  },
  { title: 'RecoverOut' },
);

const Params = Type.Object({ app_id: IdOrUid, endpoint_id: IdOrUid });
const Window = { since: DateTime, until: Type.Optional(Nullable(DateTime)) };

type Body = { since: string; until?: string | null | undefined };
type Requeue = (
  endpoint: Endpoint,
  window: { since: number; until: number },
  now: number,
) => Promise<number>;

export function endpointTaskRoutes(api: HeraldFastify, deps: AppDeps): void {
  const { store, clock } = deps;

  function route<B extends TSchema>(
    name: string,
    task: string,
    doc: { summary: string; description: string },
    body: B,
    requeue: (request: { body: Body }) => Requeue,
  ) {
    api.post(
      `/app/:app_id/endpoint/:endpoint_id/${name}`,
      {
        config: { auth: 'app' },
        schema: {
          tags: ['Endpoint'],
          operationId: `v1.endpoint.${name}`,
          ...doc,
          params: Params,
          body,
          response: { 202: RecoverOut, ...errorResponses },
        },
      },
      async (request, reply) => {
        const { app_id, endpoint_id } = request.params as { app_id: string; endpoint_id: string };
        const { endpoint } = await loadEndpoint(
          store,
          request as FastifyRequest,
          app_id,
          endpoint_id,
        );
        const given = request.body as Body;
        const since = Date.parse(given.since);
        const until = given.until ? Date.parse(given.until) : clock.now() + 1;
        if (since > until) throw invalid(['body', 'since'], 'since must not be after until');
        const work = requeue({ body: given });
        const started = await deps.backgroundTasks.start(
          task,
          endpoint.appId,
          { endpointId: endpoint.id },
          async () => {
            const requeued = await work(endpoint, { since, until }, clock.now());
            if (requeued > 0) deps.events.deliveriesQueued();
            return { requeued };
          },
        );
        return reply.code(202).send({
          id: started.id,
          status: started.status,
          task: started.task,
          updatedAt: iso(started.updatedAt),
        });
      },
    );
  }

  route(
    'recover',
    'endpoint.recover',
    {
      summary: 'Resend every failed message of the endpoint since a date',
      description:
        'Runs as a background task; each failed delivery gets one more (manual) attempt.',
    },
    Type.Object(Window),
    () => (endpoint, w, now) => store.deliveries.requeueFailed(endpoint.id, w.since, w.until, now),
  );

  route(
    'replay-missing',
    'endpoint.replay',
    {
      summary: 'Send the endpoint the messages since a date that it never received',
      description:
        'Messages the endpoint would receive now (filters, channels) and has no delivery of, as a background task.',
    },
    Type.Object(Window),
    () => (endpoint, w, now) => store.deliveries.replayMissing(endpoint, w.since, w.until, now),
  );

  const BulkReplay = Type.Object({
    ...Window,
    status: Type.Optional(Type.Integer({ minimum: 0, maximum: 3 })),
    eventTypes: Type.Optional(Type.Array(Type.String({ maxLength: 256 }))),
    channel: Type.Optional(Type.String({ maxLength: 128 })),
    tag: Type.Optional(Type.String({ maxLength: 128 })),
  });
  route(
    'bulk-replay',
    'endpoint.bulk-replay',
    {
      summary: "Send again the endpoint's messages that match a filter",
      description:
        'Every delivery of the endpoint in the window matching the filters gets one more (manual) attempt, as a background task.',
    },
    BulkReplay,
    (request) => {
      const { status, eventTypes, channel, tag } = request.body as Body & {
        status?: number;
        eventTypes?: string[];
        channel?: string;
        tag?: string;
      };
      return (endpoint, w, now) =>
        store.deliveries.replay(
          endpoint.id,
          {
            after: w.since - 1,
            before: w.until,
            ...(status !== undefined ? { status: status as MessageStatus } : {}),
            ...(eventTypes?.length ? { eventTypes } : {}),
            ...(channel ? { channel } : {}),
            ...(tag ? { tag } : {}),
          },
          now,
        );
    },
  );
}
