// /api/v1/operational-event: the operational events Herald has emitted (`endpoint.disabled`,
// `message.attempt.exhausted`, ...), newest first by default (a Herald extension). They are
// the messages of Herald's own operational application.
import { Type } from '@sinclair/typebox';
import { errorResponses, iso, ListQuery, ListResponse } from '../schemas/common.ts';
import type { AppDeps, HeraldFastify } from '../types.ts';

const OperationalEventOut = Type.Object(
  {
    id: Type.String({ description: 'The id of the message that carries it.' }),
    type: Type.String(),
    timestamp: Type.String({ format: 'date-time' }),
    data: Type.Record(Type.String(), Type.Unknown()),
  },
  { title: 'OperationalEventOut' },
);

export function operationalEventRoutes(api: HeraldFastify, deps: AppDeps): void {
  api.get(
    '/operational-event',
    {
      schema: {
        tags: ['Operational Webhook'],
        operationId: 'v1.operational-event.list',
        summary: 'List the operational events Herald emitted, newest first',
        querystring: ListQuery,
        response: {
          200: ListResponse(OperationalEventOut, 'OperationalEventOut'),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { limit, iterator, order } = request.query;
      if (!deps.operationalEvents)
        return { data: [], iterator: null, prevIterator: null, done: true };
      const app = await deps.operationalEvents.operationalApp();
      const page = await deps.store.messages.list(
        app.id,
        {},
        { limit, iterator: iterator ?? null, order: order ?? 'descending' },
      );
      return {
        ...page,
        data: page.data.map((m) => {
          const body = parsePayload(m.payload);
          return {
            id: m.id,
            type: m.eventType,
            timestamp: typeof body.timestamp === 'string' ? body.timestamp : iso(m.createdAt),
            data:
              body.data && typeof body.data === 'object'
                ? (body.data as Record<string, unknown>)
                : {},
          };
        }),
      };
    },
  );
}

function parsePayload(payload: unknown): Record<string, unknown> {
  if (payload && typeof payload === 'object') return payload as Record<string, unknown>;
  if (typeof payload !== 'string') return {};
  try {
    const parsed: unknown = JSON.parse(payload);
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
