// /api/v1/queue: what is waiting to be sent, soonest first (a Herald extension).
import { Type } from '@sinclair/typebox';
import { idFloor } from '../../domain/ids.ts';
import { loadListingScope } from '../load.ts';
import { errorResponses, iso, isoOrNull, Nullable } from '../schemas/common.ts';
import { statusText } from '../schemas/message.ts';
import type { AppDeps, HeraldFastify } from '../types.ts';

const QueuedDeliveryOut = Type.Object(
  {
    msgId: Type.String(),
    endpointId: Type.String(),
    appId: Type.String(),
    eventType: Type.String(),
    status: Type.Integer(),
    statusText: Type.String(),
    attempts: Type.Integer(),
    nextAttempt: Nullable(Type.String({ format: 'date-time' })),
    createdAt: Type.String({ format: 'date-time' }),
  },
  { title: 'QueuedDeliveryOut' },
);

const QueueStatsOut = Type.Object(
  {
    scheduled: Type.Integer({
      description: 'Deliveries with a next attempt time: pending or in flight.',
    }),
    dueNow: Type.Integer({ description: 'Of those, how many are due now.' }),
    oldestDue: Nullable(
      Type.String({
        format: 'date-time',
        description: 'When the longest-waiting due delivery fell due; null when none is due.',
      }),
    ),
    attemptsLastMinute: Type.Object({ success: Type.Integer(), failure: Type.Integer() }),
    disabledEndpoints: Type.Integer({
      description: 'Endpoints of all applications that are disabled.',
    }),
  },
  { title: 'QueueStatsOut' },
);

export function queueRoutes(api: HeraldFastify, deps: AppDeps): void {
  api.get(
    '/queue/stats',
    {
      schema: {
        tags: ['Queue'],
        operationId: 'v1.queue.stats',
        summary: 'Queue depth, due deliveries, recent attempts and disabled endpoints',
        description:
          'Deliveries held for a disabled endpoint have no next attempt time and are not counted in `scheduled`.',
        response: { 200: QueueStatsOut, ...errorResponses },
      },
    },
    async () => {
      // The queue's counts are the ones health and metrics share (read at most once a second).
      const now = deps.clock.now();
      const [queue, attempts] = await Promise.all([
        deps.queueState.read(),
        deps.store.deliveryStats.countAttemptsSince(idFloor('attempt', now - 60_000)),
      ]);
      return {
        scheduled: queue.pending,
        dueNow: queue.due,
        oldestDue: isoOrNull(queue.oldestDueAt),
        attemptsLastMinute: attempts,
        disabledEndpoints: queue.disabledEndpoints,
      };
    },
  );

  api.get(
    '/queue',
    {
      schema: {
        tags: ['Queue'],
        operationId: 'v1.queue.list',
        summary: 'List pending and in-flight deliveries, soonest first',
        description:
          'Filter by `app_id` and `endpoint_id` (ids or uids). A delivery whose endpoint is disabled has no `nextAttempt` and comes last.',
        querystring: Type.Object({
          app_id: Type.Optional(Type.String({ maxLength: 256 })),
          endpoint_id: Type.Optional(Type.String({ maxLength: 256 })),
          limit: Type.Integer({ minimum: 1, maximum: 250, default: 50 }),
          iterator: Type.Optional(Type.String({ pattern: '^[0-9]+$', maxLength: 12 })),
        }),
        response: {
          200: Type.Object({
            data: Type.Array(QueuedDeliveryOut),
            iterator: Nullable(Type.String()),
            done: Type.Boolean(),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { app_id, endpoint_id, limit, iterator } = request.query;
      const filter = await loadListingScope(deps.store, app_id, endpoint_id);
      const offset = Number(iterator ?? 0);
      const rows = await deps.store.deliveries.listQueued(filter, limit + 1, offset);
      const done = rows.length <= limit;
      return {
        data: rows.slice(0, limit).map((d) => ({
          msgId: d.msgId,
          endpointId: d.endpointId,
          appId: d.appId,
          eventType: d.eventType,
          status: d.status,
          statusText: statusText(d.status),
          attempts: d.attemptCount,
          nextAttempt: isoOrNull(d.nextAttemptAt),
          createdAt: iso(d.createdAt),
        })),
        iterator: done ? null : String(offset + limit),
        done,
      };
    },
  );
}
