// Periodic housekeeping: purges payloads and response bodies past the retention period,
// completed deliveries past theirs, expired idempotency keys and portal tokens, and Play
// inboxes past their lifetime (with the requests they recorded).
import type { Clock } from '../domain/clock.ts';
import type { Store } from '../store/store.ts';

const day = 86_400_000;
const hour = 3_600_000;

export type Maintenance = ReturnType<typeof createMaintenance>;

export function createMaintenance(deps: {
  store: Store;
  clock: Clock;
  retentionDays: number;
  completedRetentionDays: number;
  log: { error(obj: unknown, msg: string): void };
}) {
  let timer: NodeJS.Timeout | undefined;

  async function run(): Promise<
    Record<
      'payloads' | 'responses' | 'completed' | 'idempotencyKeys' | 'tokens' | 'playInboxes',
      number
    >
  > {
    const now = deps.clock.now();
    const before = now - deps.retentionDays * day;
    return {
      payloads: await deps.store.messages.purgePayloads(before),
      responses: await deps.store.deliveries.purgeResponses(before),
      completed: await deps.store.deliveries.purgeCompleted(
        now - deps.completedRetentionDays * day,
      ),
      idempotencyKeys: await deps.store.idempotency.purgeExpired(now),
      tokens: await deps.store.tokens.purgeExpired(now),
      playInboxes: await deps.store.playInboxes.purgeExpired(now),
    };
  }

  const housekeeping = () => {
    run().catch((error: unknown) => deps.log.error({ err: error }, 'maintenance failed'));
  };

  return {
    run,

    /** Runs now, then every hour until `stop()`. */
    start(): void {
      if (timer) return;
      timer = setInterval(housekeeping, hour);
      timer.unref();
      housekeeping();
    },

    stop(): void {
      clearInterval(timer);
      timer = undefined;
    },
  };
}
