// The store: Herald's one port to its database. Callers see repositories of domain objects;
// the adapter underneath (SQLite or PostgreSQL) is chosen by the database URL.

import { applicationRepository } from './applications.ts';
import { backgroundTaskRepository } from './background-tasks.ts';
import type { Database } from './database.ts';
import { deliveryRepository } from './deliveries.ts';
import { deliveryStatsRepository } from './delivery-stats.ts';
import { endpointRepository } from './endpoints.ts';
import { eventTypeRepository } from './event-types.ts';
import { idempotencyRepository } from './idempotency.ts';
import { messageRepository } from './messages.ts';
import { observeDatabase } from './observed-database.ts';
import { playInboxRepository } from './play-inboxes.ts';
import { openPostgresDatabase } from './postgres/postgres-database.ts';
import { queueRepository } from './queue.ts';
import { sealedColumnRepository } from './sealed-columns.ts';
import type { SecretBox } from './secret-box.ts';
import { settingRepository } from './settings.ts';
import { openSqliteDatabase } from './sqlite/sqlite-database.ts';
import { tokenRepository } from './tokens.ts';

export function createStore(db: Database, secretBox: SecretBox) {
  const endpoints = endpointRepository(db, secretBox);
  return {
    db,
    applications: applicationRepository(db),
    eventTypes: eventTypeRepository(db),
    endpoints,
    messages: messageRepository(db, endpoints),
    deliveries: deliveryRepository(db, secretBox),
    deliveryStats: deliveryStatsRepository(db),
    queue: queueRepository(db, secretBox),
    tokens: tokenRepository(db),
    backgroundTasks: backgroundTaskRepository(db),
    idempotency: idempotencyRepository(db, secretBox),
    sealedColumns: sealedColumnRepository(db, secretBox),
    settings: settingRepository(db),
    playInboxes: playInboxRepository(db, secretBox),
    close: () => db.close(),
  };
}

export type Store = ReturnType<typeof createStore>;

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
  const { onError } = options;
  const observed = (db: Database) => (onError ? observeDatabase(db, onError) : db);
  if (databaseUrl.startsWith('sqlite:')) {
    const db = openSqliteDatabase(databaseUrl.slice('sqlite:'.length), {
      synchronous: options.synchronous ?? 'full',
    });
    await db.migrate();
    return createStore(observed(db), options.secretBox);
  }
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) {
    const db = openPostgresDatabase(databaseUrl, options);
    try {
      await db.migrate();
    } catch (error) {
      await db.close();
      throw error;
    }
    return createStore(observed(db), options.secretBox);
  }
  throw new Error(`unsupported database URL: ${databaseUrl.replace(/\/\/[^@]*@/, '//***@')}`);
}
