// The store: Herald's one port to its database. Callers see repositories of domain objects;
// the adapter underneath (SQLite or PostgreSQL) is chosen by the database URL.

import { applicationRepository } from './applications.ts';
import { backgroundTaskRepository } from './background-tasks.ts';
import type { Database } from './database.ts';
import { deliveryRepository } from './deliveries.ts';
import { endpointRepository } from './endpoints.ts';
import { eventTypeRepository } from './event-types.ts';
import { idempotencyRepository } from './idempotency.ts';
import { messageRepository } from './messages.ts';
import { playInboxRepository } from './play-inboxes.ts';
import { openPostgresDatabase } from './postgres/postgres-database.ts';
import { queueRepository } from './queue.ts';
import { settingRepository } from './settings.ts';
import { openSqliteDatabase } from './sqlite/sqlite-database.ts';
import { tokenRepository } from './tokens.ts';

export function createStore(db: Database) {
  const endpoints = endpointRepository(db);
  return {
    db,
    applications: applicationRepository(db),
    eventTypes: eventTypeRepository(db),
    endpoints,
    messages: messageRepository(db, endpoints),
    deliveries: deliveryRepository(db),
    queue: queueRepository(db),
    tokens: tokenRepository(db),
    backgroundTasks: backgroundTaskRepository(db),
    idempotency: idempotencyRepository(db),
    settings: settingRepository(db),
    playInboxes: playInboxRepository(db),
    close: () => db.close(),
  };
}

export type Store = ReturnType<typeof createStore>;

/** Opens the database a URL names, applies pending migrations and returns the store. */
export async function openStore(
  databaseUrl: string,
  options: { schema?: string } = {},
): Promise<Store> {
  if (databaseUrl.startsWith('sqlite:')) {
    const db = openSqliteDatabase(databaseUrl.slice('sqlite:'.length));
    await db.migrate();
    return createStore(db);
  }
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) {
    const db = openPostgresDatabase(databaseUrl, options);
    try {
      await db.migrate();
    } catch (error) {
      await db.close();
      throw error;
    }
    return createStore(db);
  }
  throw new Error(`unsupported database URL: ${databaseUrl.replace(/\/\/[^@]*@/, '//***@')}`);
}
