// The embedded adapter: one `node:sqlite` connection in WAL mode. node:sqlite is synchronous,
// so a small lock keeps a transaction's statements from interleaving with other callers'.
import {
  accessSync,
  closeSync,
  constants,
  existsSync,
  fdatasync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { Capabilities, Database, RunResult, SqlExecutor, SqlValue } from '../database.ts';
import { withRiders } from '../riders.ts';
import { startCheckpointer } from './checkpointer.ts';

const migrationsDir = join(import.meta.dirname, '..', 'migrations', 'sqlite');

export const sqliteCapabilities: Capabilities = {
  dialect: 'sqlite',
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
  // A file on this machine's disk does not come and go as a server does, but its disk may
  // fill up, turn read-only or fail.
  unavailable: (error) => (isStorageUnavailable(error) ? 'storage' : null),
  // A constraint violation (SQLITE_CONSTRAINT, 19, and its extended codes) undoes its
  // statement alone.
  undoesFailedStatement: (error) => {
    const code = (error as { errcode?: number } | null)?.errcode;
    return typeof code === 'number' && (code & 0xff) === 19;
  },
};

export type SqliteOptions = {
  /**
   * `full`: a write resolves once the write-ahead log holding it is on disk, so what was
   * acknowledged survives a power loss. `normal`: the log reaches the disk at checkpoints
   * only (a crash of the process loses nothing; a power loss may lose the last commits).
   */
  synchronous: 'full' | 'normal';
  /** Syncs a file to disk (tests replace it to watch when writes resolve). */
  syncFile?: (fd: number) => Promise<void>;
};

const fdatasyncAsync = (fd: number) =>
  new Promise<void>((resolve, reject) =>
    fdatasync(fd, (error) => (error ? reject(error) : resolve())),
  );

/**
 * Durability without blocking: SQLite's own FULL mode syncs the log inside COMMIT, and
 * node:sqlite runs COMMIT on the main thread, so every sync stalls the event loop and no
 * two groups of writes can share one. Here SQLite runs with NORMAL, and after each write
 * the log file is synced from libuv's thread pool; the write's promise resolves only then.
 * One sync covers every commit made before it started, so concurrent writers share syncs.
 * (A checkpoint in NORMAL mode syncs the log before copying it, and the database after.)
 */
function createLogSync(walPath: string, syncFile: (fd: number) => Promise<void>) {
  let fd: number | null = null;
  let running: Promise<void> | null = null;
  let next: Promise<void> | null = null;
  const start = (): Promise<void> => {
    fd ??= openSync(walPath, 'r+');
    running = syncFile(fd).finally(() => {
      running = null;
    });
    return running;
  };
  return {
    sync(): Promise<void> {
      // A sync already under way may have started before this commit: the next covers it.
      if (!running) return start();
      const after = () => {
        next = null;
        return start();
      };
      next ??= running.then(after, after);
      return next;
    },
    async close(): Promise<void> {
      await Promise.allSettled([running, next]);
      if (fd !== null) closeSync(fd);
      fd = null;
    },
  };
}

export function openSqliteDatabase(
  path: string,
  options: SqliteOptions = { synchronous: 'full' },
): Database {
  if (path !== ':memory:') {
    mkdirSync(dirname(path), { recursive: true });
    checkWritable(path);
  }
  const db = new DatabaseSync(path);
  try {
    db.exec('PRAGMA journal_mode = WAL');
    db.exec('PRAGMA synchronous = NORMAL');
  } catch (error) {
    db.close();
    throw cannotWrite(path, error);
  }
  const logSync =
    options.synchronous === 'full' && path !== ':memory:'
      ? createLogSync(`${path}-wal`, options.syncFile ?? fdatasyncAsync)
      : null;
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

  const lockedRun = locked(direct.run);
  let closed = false;
  return withRiders({
    capabilities: sqliteCapabilities,
    all: locked(direct.all) as SqlExecutor['all'],
    get: locked(direct.get) as SqlExecutor['get'],
    run: async (sql, params) => {
      const result = await lockedRun(sql, params);
      if (logSync && result.changes > 0) await logSync.sync();
      return result;
    },
    transaction: async (fn) => {
      const result = await withLock(async () => {
        db.exec('BEGIN IMMEDIATE');
        try {
          const value = await fn(direct);
          db.exec('COMMIT');
          return value;
        } catch (error) {
          // SQLite ends the transaction itself on some errors (a full disk, an I/O error):
          // then there is nothing to roll back, and the error to report is the first one.
          if (db.isTransaction) {
            try {
              db.exec('ROLLBACK');
            } catch {
              // The rollback failed too (the same fault): the first error says what happened.
            }
          }
          throw error;
        }
      });
      // Outside the lock: other transactions commit meanwhile and share the next sync.
      if (logSync) await logSync.sync();
      return result;
    },
    migrate: async () => {
      try {
        return applyMigrations(db);
      } catch (error) {
        throw cannotWrite(path, error);
      }
    },
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
      await logSync?.close();
      await withLock(async () => db.close());
    },
  });
}

/**
 * SQLite opens a file it may not write read-only without a word, and the start would fail
 * later at its first write; the file system says so at once (EROFS, EACCES).
 */
function checkWritable(path: string): void {
  for (const file of [dirname(path), path, `${path}-wal`, `${path}-shm`]) {
    if (file !== dirname(path) && !existsSync(file)) continue;
    try {
      accessSync(file, constants.W_OK);
    } catch (error) {
      throw new Error(
        `cannot write the database ${path} (${file}: ${(error as NodeJS.ErrnoException).code}): check that its directory is writable (not a read-only mount) and that its disk has room`,
        { cause: error },
      );
    }
  }
}

/**
 * Herald writes from its first statement on (the log, migrations, leases), so a database it
 * cannot write stops the start with what to check, rather than SQLite's words alone.
 */
function cannotWrite(path: string, error: unknown): unknown {
  const code = (error as { errcode?: number } | null)?.errcode;
  // SQLITE_READONLY (8), SQLITE_IOERR (10), SQLITE_FULL (13), SQLITE_CANTOPEN (14).
  if (typeof code !== 'number' || ![8, 10, 13, 14].includes(code & 0xff)) return error;
  return new Error(
    `cannot write the database ${path} (${(error as Error).message}): check that its directory is writable (not a read-only mount) and that its disk has room`,
    { cause: error },
  );
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

/**
 * SQLite's primary result codes for a file that cannot take writes now: SQLITE_BUSY (5, another
 * process holds the lock), SQLITE_READONLY (8), SQLITE_IOERR (10), SQLITE_FULL (13) and
 * SQLITE_CANTOPEN (14).
 */
const sqliteStorageCodes: ReadonlySet<number> = new Set([5, 8, 10, 13, 14]);

/** What the file system answers when the disk is full, read-only or failing. */
const fileSystemCodes: ReadonlySet<string> = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EIO', 'EFBIG']);

/** Errors that mean the database cannot store anything right now: nothing was written. */
function isStorageUnavailable(error: unknown): boolean {
  const e = error as { code?: string; errcode?: number } | null;
  if (e?.code === 'ERR_SQLITE_ERROR' && typeof e.errcode === 'number') {
    return sqliteStorageCodes.has(e.errcode & 0xff);
  }
  return fileSystemCodes.has(e?.code ?? '');
}
