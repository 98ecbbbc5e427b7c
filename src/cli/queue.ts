// `herald queue`: what is waiting to be sent, soonest first, as a table.
import type { Store } from '../store/store.ts';

export async function queueTable(
  store: Store,
  options: { app?: string | undefined; endpoint?: string | undefined; limit?: string | undefined },
): Promise<string> {
  const filter: { appId?: string; endpointId?: string } = {};
  if (options.app) {
    const app = await store.applications.find(options.app);
    if (!app) return `no application ${options.app}\n`;
    filter.appId = app.id;
    if (options.endpoint) {
      const endpoint = await store.endpoints.find(app.id, options.endpoint);
      if (!endpoint) return `no endpoint ${options.endpoint} in ${options.app}\n`;
      filter.endpointId = endpoint.id;
    }
  }
  const limit = Math.min(Math.max(Number(options.limit ?? 50) || 50, 1), 10_000);
  const rows = await store.deliveries.listQueued(filter, limit, 0);
  const status = ['success', 'pending', 'fail', 'sending'];
  const lines = rows.map((d) =>
    [
      d.nextAttemptAt === null ? 'paused' : new Date(d.nextAttemptAt).toISOString(),
      status[d.status] ?? String(d.status),
      String(d.attemptCount),
      d.eventType,
      d.msgId,
      d.endpointId,
    ].join('  '),
  );
  const header = 'next attempt  status  attempts  event type  message  endpoint';
  return `${[header, ...lines].join('\n')}\n${rows.length} ${rows.length === 1 ? 'delivery' : 'deliveries'} shown\n`;
}
