// A database that reports its failures: every statement, transaction or ride that fails is
// told to `onError` (for the store error count in metrics), then fails as before, except that
// a database out of reach fails with StoreUnavailableError whatever the engine said. Expected
// refusals (a unique-constraint violation, a coded error thrown by the caller's own
// transaction body) are not failures of the store and are not reported.
import { HeraldError } from '../domain/errors.ts';
import type { Database, SqlExecutor, SqlValue } from './database.ts';
import { StoreUnavailableError } from './unavailable.ts';

export function observeDatabase(
  db: Database,
  onError: (error: unknown) => void = () => {},
): Database {
  const report = (error: unknown): never => {
    if (!(error instanceof HeraldError) && !db.capabilities.isUniqueViolation(error)) {
      onError(error);
    }
    const reason = db.capabilities.unavailable(error);
    throw reason ? new StoreUnavailableError(error, reason) : error;
  };
  return {
    get capabilities() {
      return db.capabilities;
    },
    all<T>(sql: string, params?: readonly SqlValue[]) {
      return db.all<T>(sql, params).catch(report);
    },
    get<T>(sql: string, params?: readonly SqlValue[]) {
      return db.get<T>(sql, params).catch(report);
    },
    run: (sql, params) => db.run(sql, params).catch(report),
    transaction<T>(fn: (tx: SqlExecutor) => Promise<T>) {
      return db.transaction(fn).catch(report);
    },
    ride<T>(
      fn: (tx: SqlExecutor) => Promise<T>,
      maxWaitMs: number,
      options?: { oneStatement?: boolean },
    ) {
      return db.ride(fn, maxWaitMs, options).catch(report);
    },
    migrate: () => db.migrate().catch(report),
    ping: async () => {
      const ok = await db.ping();
      if (!ok) onError(new Error('the database did not answer a ping'));
      return ok;
    },
    notify: () => db.notify().catch(report),
    onNotify: (listener) => db.onNotify(listener),
    close: () => db.close(),
  };
}
