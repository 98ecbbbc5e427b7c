// The embedded adapter: one `node:sqlite` connection in WAL mode. node:sqlite is synchronous,
// so a small lock keeps a transaction's statements from interleaving with other callers'.
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { Capabilities, Database, RunResult, SqlExecutor, SqlValue } from '../database.ts';
import { withRiders } from '../riders.ts';
import { startCheckpointer } from './checkpointer.ts';

const migrationsDir = join(import.meta.dirname, '..', 'migrations', 'sqlite');

export const sqliteCapabilities: Capabilities = {
  dialect: 'sqlite',
  skipLocked: false,
  crossProcessNotify: false,
  singleProcess: true,
  rowAtATime: true,
  isUniqueViolation: (error) => {
    const e = error as { errcode?: number; message?: string };
    return (
      e?.errcode === 2067 ||
      e?.errcode === 1555 ||
      /UNIQUE constraint failed/.test(e?.message ?? '')
    );
  },
  // A constraint violation (SQLITE_CONSTRAINT, 19, and its extended codes) undoes its
  // statement alone.
  undoesFailedStatement: (error) => {
    const code = (error as { errcode?: number } | null)?.errcode;
    return typeof code === 'number' && (code & 0xff) === 19;
  },
};

export function openSqliteDatabase(path: string): Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path);
  db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA synchronous = NORMAL');
  db.exec('PRAGMA foreign_keys = ON');
  db.exec('PRAGMA busy_timeout = 5000');
  // Checkpoints run in a worker thread (see checkpointer.ts); the main connection only steps
  // in when the log reaches ~40 MB: by then the worker has copied nearly all of it, and this
  // checkpoint (cheap) is what lets the log start over, which bounds its size on disk.
  const checkpointer = path === ':memory:' ? null : startCheckpointer(path);
  if (checkpointer) db.exec('PRAGMA wal_autocheckpoint = 10000');

  const statements = new Map<string, StatementSync>();
  const prepare = (sql: string) => {
    let statement = statements.get(sql);
    if (!statement) {
      statement = db.prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };

  const direct: SqlExecutor = {
    all: async <T>(sql: string, params: readonly SqlValue[] = []) =>
      prepare(sql).all(...(params as SqlValue[])) as T[],
    get: async <T>(sql: string, params: readonly SqlValue[] = []) =>
      prepare(sql).get(...(params as SqlValue[])) as T | undefined,
    run: async (sql: string, params: readonly SqlValue[] = []): Promise<RunResult> => {
      const result = prepare(sql).run(...(params as SqlValue[]));
      return { changes: Number(result.changes) };
    },
  };

  // A promise chain: each holder runs alone. Plain statements only wait while a transaction
  // holds the connection, so the uncontended path costs one microtask.
  let tail: Promise<void> = Promise.resolve();
  let held = false;
  const withLock = async <T>(fn: () => Promise<T>): Promise<T> => {
    const previous = tail;
    let release!: () => void;
    tail = new Promise<void>((resolve) => {
      release = resolve;
    });
    await previous;
    held = true;
    try {
      return await fn();
    } finally {
      held = false;
      release();
    }
  };
  const locked =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    (...args: A): Promise<R> =>
      held ? withLock(() => fn(...args)) : fn(...args);

  let closed = false;
  return withRiders({
    capabilities: sqliteCapabilities,
    all: locked(direct.all) as SqlExecutor['all'],
    get: locked(direct.get) as SqlExecutor['get'],
    run: locked(direct.run),
    transaction: (fn) =>
      withLock(async () => {
        db.exec('BEGIN IMMEDIATE');
        try {
          const result = await fn(direct);
          db.exec('COMMIT');
          return result;
        } catch (error) {
          db.exec('ROLLBACK');
          throw error;
        }
      }),
    migrate: async () => applyMigrations(db),
    ping: async () => {
      try {
        db.prepare('SELECT 1').get();
        return true;
      } catch {
        return false;
      }
    },
    // One process owns the file: the in-process wake-up is all there is.
    notify: async () => {},
    onNotify: () => () => {},
    close: async () => {
      if (closed) return;
      closed = true;
      await checkpointer?.stop();
      await withLock(async () => db.close());
    },
  });
}

function applyMigrations(db: DatabaseSync): string[] {
  db.exec(
    'CREATE TABLE IF NOT EXISTS herald_migrations (name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)',
  );
  const done = new Set(
    (db.prepare('SELECT name FROM herald_migrations').all() as { name: string }[]).map(
      (r) => r.name,
    ),
  );
  const applied: string[] = [];
  for (const file of readdirSync(migrationsDir)
    .filter((f) => f.endsWith('.sql'))
    .sort()) {
    if (done.has(file)) continue;
    db.exec('BEGIN IMMEDIATE');
    try {
      db.exec(readFileSync(join(migrationsDir, file), 'utf8'));
      db.prepare('INSERT INTO herald_migrations (name, applied_at) VALUES (?, ?)').run(
        file,
        Date.now(),
      );
      db.exec('COMMIT');
    } catch (error) {
      db.exec('ROLLBACK');
      throw new Error(`migration ${file} failed: ${(error as Error).message}`);
    }
    applied.push(file);
  }
  return applied;
}
