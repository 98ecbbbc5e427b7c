// The store: Herald's one port to its database. Callers see repositories of domain objects
// and the few operations the program needs of the database itself; the SQL adapter underneath
// (SQLite or PostgreSQL) is chosen by the database URL and never handed out.

import { type ApplicationRepository, applicationRepository } from './applications.ts';
import { type BackgroundTaskRepository, backgroundTaskRepository } from './background-tasks.ts';
import type { Database } from './database.ts';
import { type DeliveryRepository, deliveryRepository } from './deliveries.ts';
import { type DeliveryStatsRepository, deliveryStatsRepository } from './delivery-stats.ts';
import { type EndpointRepository, endpointRepository } from './endpoints.ts';
import { type EventTypeRepository, eventTypeRepository } from './event-types.ts';
import { type IdempotencyRepository, idempotencyRepository } from './idempotency.ts';
import { type MessageRepository, messageRepository } from './messages.ts';
import { observeDatabase } from './observed-database.ts';
import { type PlayInboxRepository, playInboxRepository } from './play-inboxes.ts';
import { openPostgresDatabase } from './postgres/postgres-database.ts';
import { type QueueRepository, queueRepository } from './queue.ts';
import { type SealedColumnRepository, sealedColumnRepository } from './sealed-columns.ts';
import type { SecretBox } from './secret-box.ts';
import { type SettingRepository, settingRepository } from './settings.ts';
import { openSqliteDatabase } from './sqlite/sqlite-database.ts';
import { type TokenRepository, tokenRepository } from './tokens.ts';
import { type DataTransfer, transferRepository } from './transfer.ts';

/** Herald's port to its database. */
export interface Store {
  /** Applications (tenants), by id or uid, and Herald's own internal one. */
  readonly applications: ApplicationRepository;
  /** Event types: names, schemas, archiving. */
  readonly eventTypes: EventTypeRepository;
  /** Endpoints with their secrets (sealed at rest), headers and delivery policies. */
  readonly endpoints: EndpointRepository;
  /** Messages: publishing (with their deliveries, in one transaction), reading, purging. */
  readonly messages: MessageRepository;
  /** Deliveries and attempts as the API reads them; resends, recovery and purges. */
  readonly deliveries: DeliveryRepository;
  /** Counts of attempts per endpoint over time (endpoint statistics and health). */
  readonly deliveryStats: DeliveryStatsRepository;
  /** The delivery queue: claims under a lease, attempt records, endpoint failure state. */
  readonly queue: QueueRepository;
  /** API tokens (stored as hashes). */
  readonly tokens: TokenRepository;
  /** Recover and replay jobs and their progress. */
  readonly backgroundTasks: BackgroundTaskRepository;
  /** Answers kept for repeated requests with one Idempotency-Key. */
  readonly idempotency: IdempotencyRepository;
  /** Sealing every secret at rest again with the current main secret. */
  readonly sealedColumns: SealedColumnRepository;
  /** Installation-wide values (the operator token's hash, ...). */
  readonly settings: SettingRepository;
  /** Play inboxes and the requests they recorded. */
  readonly playInboxes: PlayInboxRepository;
  /** Whole tables out of this store and into another (`herald migrate-data`). */
  readonly transfer: DataTransfer;
  /** True when the database answers. */
  ping(): Promise<boolean>;
  /**
   * Says that deliveries were queued: this process's listeners hear it at once, other
   * nodes' through the database where several share it (LISTEN/NOTIFY on PostgreSQL).
   */
  deliveriesQueued(): void;
  /**
   * Calls `listener` whenever any node queues deliveries (`thisProcess`: only when this
   * process does); returns the unsubscribe function.
   */
  onDeliveriesQueued(listener: () => void, options?: { thisProcess?: boolean }): () => void;
  /**
   * Makes the claims of workers that died claimable again at once, where that can be known
   * (one process owns an embedded database, so at its start every claim is a dead one's);
   * elsewhere a claim waits for its lease to run out. Returns how many were released.
   */
  recoverClaims(now: number): Promise<number>;
  /** Closes the database; the store is unusable afterwards. */
  close(): Promise<void>;
}

/** The store over an open database (migrated by the caller). */
export function createStore(db: Database, secretBox: SecretBox): Store {
  const endpoints = endpointRepository(db, secretBox);
  const queue = queueRepository(db, secretBox);
  const queueListeners = new Set<() => void>();
  return {
    applications: applicationRepository(db),
    eventTypes: eventTypeRepository(db),
    endpoints,
    messages: messageRepository(db, secretBox),
    deliveries: deliveryRepository(db, secretBox),
    deliveryStats: deliveryStatsRepository(db),
    queue,
    tokens: tokenRepository(db),
    backgroundTasks: backgroundTaskRepository(db),
    idempotency: idempotencyRepository(db, secretBox),
    sealedColumns: sealedColumnRepository(db, secretBox),
    settings: settingRepository(db),
    playInboxes: playInboxRepository(db, secretBox),
    transfer: transferRepository(db),
    ping: () => db.ping(),
    deliveriesQueued() {
      for (const listener of queueListeners) listener();
      db.notify().catch(() => {});
    },
    onDeliveriesQueued(listener, options = {}) {
      queueListeners.add(listener);
      const unlisten = options.thisProcess ? () => {} : db.onNotify(listener);
      return () => {
        queueListeners.delete(listener);
        unlisten();
      };
    },
    recoverClaims: async (now) => (db.capabilities.singleProcess ? queue.releaseClaims(now) : 0),
    close: () => db.close(),
  };
}

/** Opens the database a URL names, applies pending migrations and returns the store. */
export async function openStore(
  databaseUrl: string,
  options: {
    /** Seals secrets at rest; from the main secret (see cli/main-secret.ts). */
    secretBox: SecretBox;
    schema?: string;
    synchronous?: 'full' | 'normal';
    /** Told of every failed statement or transaction (store errors in metrics). */
    onError?: (error: unknown) => void;
  },
): Promise<Store> {
  const db = openDatabase(databaseUrl, options);
  try {
    await db.migrate();
  } catch (error) {
    await db.close();
    throw error;
  }
  return createStore(observeDatabase(db, options.onError), options.secretBox);
}

/**
 * The SQL database a URL names, as the store's adapter sees it, without migrating it. Only the
 * store and tests of what lies under it open one.
 */
export function openDatabase(
  databaseUrl: string,
  options: { schema?: string; synchronous?: 'full' | 'normal' } = {},
): Database {
  if (databaseUrl.startsWith('sqlite:')) {
    return openSqliteDatabase(databaseUrl.slice('sqlite:'.length), {
      synchronous: options.synchronous ?? 'full',
    });
  }
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) {
    return openPostgresDatabase(databaseUrl, options);
  }
  throw new Error(`unsupported database URL: ${databaseUrl.replace(/\/\/[^@]*@/, '//***@')}`);
}
