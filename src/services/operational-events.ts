// Operational events: what Herald tells the producer about the system itself
// (`endpoint.disabled`, `message.attempt.exhausted`, ...). They are messages of Herald's own
// hidden application, so they go through the same signed, retried pipeline to the endpoints
// registered at /api/v1/operational-webhook/endpoint.
import type { Application } from '../domain/application.ts';
import type { Clock } from '../domain/clock.ts';
import type { IdGenerator } from '../domain/ids.ts';
import type { Store } from '../store/store.ts';

export const operationalAppUid = 'herald-operational';

export const operationalEventTypes = [
  'endpoint.created',
  'endpoint.updated',
  'endpoint.deleted',
  'endpoint.disabled',
  'endpoint.enabled',
  'message.attempt.failing',
  'message.attempt.exhausted',
  'message.attempt.recovered',
] as const;

export type OperationalEvents = ReturnType<typeof createOperationalEvents>;

export function createOperationalEvents(deps: {
  store: Store;
  clock: Clock;
  newId: IdGenerator;
  deliveriesQueued: () => void;
}) {
  let app: Application | null = null;
  const operationalApp = async () => {
    app ??= await deps.store.applications.ensureInternal(
      operationalAppUid,
      'Operational webhooks',
      deps.newId('application'),
      deps.clock.now(),
    );
    return app;
  };

  return {
    operationalApp,

    isInternalApp: (appId: string) => app !== null && app.id === appId,

    async emit(type: string, data: Record<string, unknown>): Promise<void> {
      const target = await operationalApp();
      const now = deps.clock.now();
      const queued = await deps.store.messages.publish({
        id: deps.newId('message'),
        appId: target.id,
        eventId: null,
        eventType: type,
        payload: JSON.stringify({ type, timestamp: new Date(now).toISOString(), data }),
        channels: null,
        tags: null,
        createdAt: now,
        deliverAt: null,
      });
      if (queued > 0) deps.deliveriesQueued();
    },
  };
}
