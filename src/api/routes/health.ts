// /api/v1/health: liveness (`/health/ping`, no I/O) and the real state of what this node
// depends on and does (`/health`): the database, the queue, and this node's dispatcher.
import { Type } from '@sinclair/typebox';
import type { DispatcherState } from '../../dispatcher/observer.ts';
import { isoOrNull, Nullable } from '../schemas/common.ts';
import type { AppDeps, HeraldFastify } from '../types.ts';

const tags = ['Health'];
const Status = Type.Union([Type.Literal('OK'), Type.Literal('ERROR')]);

/** Due deliveries waiting longer than this make the queue `BEHIND` (still 200). */
export const queueBehindAfterMs = 5 * 60_000;

const HealthOut = Type.Object(
  {
    database: Type.Object({ status: Status }),
    queue: Type.Object({
      status: Type.Union([Type.Literal('OK'), Type.Literal('BEHIND'), Type.Literal('ERROR')]),
      pending: Nullable(Type.Integer()),
      due: Nullable(Type.Integer()),
      oldestDueAt: Nullable(Type.String({ format: 'date-time' })),
      oldestDueAgeSeconds: Nullable(Type.Number()),
    }),
    dispatcher: Type.Object({
      status: Type.Union([Type.Literal('OK'), Type.Literal('ERROR'), Type.Literal('OFF')]),
      lastTickAt: Nullable(Type.String({ format: 'date-time' })),
      inFlight: Type.Integer(),
      claimErrors: Type.Integer(),
      consecutiveClaimErrors: Type.Integer(),
    }),
  },
  { title: 'HealthOut' },
);

export function healthRoutes(app: HeraldFastify, deps: AppDeps): void {
  app.get(
    '/health/ping',
    {
      config: { auth: 'public' },
      schema: {
        tags,
        operationId: 'v1.health.ping',
        summary: 'Answers 204 while the server runs (liveness)',
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
        summary: "Reports the database, the queue and this node's dispatcher (readiness)",
        description:
          '503 when the database does not answer or the dispatcher is failing or stuck. The queue is `BEHIND` (still 200) when a delivery has been due for over 5 minutes. `dispatcher.status` is `OFF` on a node that does not deliver (role `api`).',
        response: { 200: HealthOut, 503: HealthOut },
      },
    },
    async (_request, reply) => {
      const now = deps.clock.now();
      const [databaseOk, queue] = await Promise.all([
        deps.store.ping(),
        deps.queueState.read().catch(() => null),
      ]);
      const oldestAge = queue?.oldestDueAt == null ? null : Math.max(0, now - queue.oldestDueAt);
      const dispatcher = dispatcherHealth(deps.dispatcherState?.() ?? null, now);
      const body = {
        database: { status: databaseOk ? ('OK' as const) : ('ERROR' as const) },
        queue: {
          status: !queue
            ? ('ERROR' as const)
            : oldestAge !== null && oldestAge > queueBehindAfterMs
              ? ('BEHIND' as const)
              : ('OK' as const),
          pending: queue?.pending ?? null,
          due: queue?.due ?? null,
          oldestDueAt: isoOrNull(queue?.oldestDueAt ?? null),
          oldestDueAgeSeconds: oldestAge === null ? null : oldestAge / 1000,
        },
        dispatcher,
      };
      const ready = databaseOk && queue !== null && dispatcher.status !== 'ERROR';
      return reply.code(ready ? 200 : 503).send(body);
    },
  );
}

/**
 * A dispatcher is failing while its claims fail, and stuck when its loop has not gone round
 * for twice its longest sleep plus a minute (a round may wait on a slow database).
 */
function dispatcherHealth(state: DispatcherState | null, now: number) {
  if (!state?.running) {
    return {
      status: 'OFF' as const,
      lastTickAt: isoOrNull(state?.lastTickAt ?? null),
      inFlight: state?.inFlight ?? 0,
      claimErrors: state?.claimErrors ?? 0,
      consecutiveClaimErrors: state?.consecutiveClaimErrors ?? 0,
    };
  }
  const stuck = state.lastTickAt !== null && now - state.lastTickAt > 2 * state.maxIdleMs + 60_000;
  return {
    status: stuck || state.consecutiveClaimErrors > 0 ? ('ERROR' as const) : ('OK' as const),
    lastTickAt: isoOrNull(state.lastTickAt),
    inFlight: state.inFlight,
    claimErrors: state.claimErrors,
    consecutiveClaimErrors: state.consecutiveClaimErrors,
  };
}
