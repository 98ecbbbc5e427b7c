// The PostgreSQL adapter: a pooled `pg` connection set, statements written with `?` turned
// into `$n` once per statement, BIGINT read as numbers, a configurable schema, migrations
// safe when several nodes start at once, and LISTEN/NOTIFY to wake idle workers.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import type { Capabilities, Database, RunResult, SqlExecutor, SqlValue } from '../database.ts';
import { withRiders } from '../riders.ts';

const migrationsDir = join(import.meta.dirname, '..', 'migrations', 'postgres');
/**
 * The channel of one installation: a database may hold several, one per schema, and
 * deliveries queued in one must not wake the workers of another.
 */
export const notifyChannel = (schema: string) => `herald_deliveries.${schema}`;
// Any number fits: the advisory lock that serialises migrations across nodes.
const migrationLock = 7_203_551_990;

export const postgresCapabilities: Capabilities = {
  dialect: 'postgres',
  rowAtATime: false,
  singleProcess: false,
  isUniqueViolation: (error) => (error as { code?: string } | null)?.code === '23505',
  unavailable: (error) => {
    const e = error as { code?: string; message?: string } | null;
    const code = e?.code ?? '';
    const unreachable =
      // The network, then SQLSTATE: shutdowns (57P01-03), too many connections (53300), and
      // the whole connection exception class (08).
      [
        'ECONNREFUSED',
        'ECONNRESET',
        'EPIPE',
        'ETIMEDOUT',
        '57P01',
        '57P02',
        '57P03',
        '53300',
      ].includes(code) ||
      code.startsWith('08') ||
      // What `pg` itself throws when a connection ends or cannot be had.
      /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(
        e?.message ?? '',
      );
    return unreachable ? 'unreachable' : null;
  },
};

/** `?` placeholders (outside quoted text) become `$1..$n`. */
export function toPositional(sql: string): string {
  let n = 0;
  let quoted = false;
  let out = '';
  for (const ch of sql) {
    if (ch === "'") quoted = !quoted;
    out += ch === '?' && !quoted ? `$${++n}` : ch;
  }
  return out;
}

const typeParsers = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === 20 || oid === 1700
      ? Number
      : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

export function openPostgresDatabase(
  url: string,
  options: { schema?: string; max?: number } = {},
): Database {
  const schema = options.schema ?? 'public';
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema))
    throw new Error(`not a valid schema name: ${schema}`);
  // Quoted: the name holds a dot; the schema's characters are checked above.
  const channel = `"${notifyChannel(schema)}"`;
  const config: pg.PoolConfig = {
    connectionString: url,
    max: options.max ?? 10,
    // Prepared statements save parsing, but each run is planned afresh: a plan made once and
    // kept (PostgreSQL's generic plan) is made for the table as it was then, and on a new
    // database that means empty. Recording attempts kept a full scan of `deliveries` that
    // way, for every batch, however large the table grew.
    options: `-c search_path=${schema} -c plan_cache_mode=force_custom_plan`,
    types: typeParsers,
    connectionTimeoutMillis: 5000,
  };
  const pool = new pg.Pool(config);
  // An idle client losing its connection (a database restart) must not crash the process.
  pool.on('error', () => {});

  // Statements are few and fixed, but a filter may build `IN (?, ?, ...)` lists of any length:
  // the cache starts over rather than growing without bound.
  const converted = new Map<string, string>();
  const positional = (sql: string) => {
    let text = converted.get(sql);
    if (text === undefined) {
      text = toPositional(sql);
      if (converted.size >= 1000) converted.clear();
      converted.set(sql, text);
    }
    return text;
  };
  // A statement run again and again becomes a named prepared statement: each connection
  // parses it once instead of on every call (and plans it on each, see above). Its name
  // comes from its text, so it never changes; at most `maxPrepared` texts are ever named,
  // which bounds what each connection keeps on the server.
  const maxPrepared = 500;
  const seen = new Map<string, number>();
  const names = new Map<string, string>();
  /** Texts whose prepared plan went stale (another node's migration changed a table). */
  const unnamed = new Set<string>();
  const query = (sql: string, params: readonly SqlValue[]): pg.QueryConfig => {
    const text = positional(sql);
    let name = names.get(text);
    if (name === undefined && names.size < maxPrepared && !unnamed.has(text)) {
      const count = (seen.get(text) ?? 0) + 1;
      if (count >= 3) {
        name = `herald_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
        names.set(text, name);
        seen.delete(text);
      } else {
        if (seen.size >= 5000) seen.clear();
        seen.set(text, count);
      }
    }
    return name === undefined
      ? { text, values: params as unknown[] }
      : { name, text, values: params as unknown[] };
  };
  // A prepared `SELECT *` fails once a migration run by a newer node changes the table
  // ("cached plan must not change result type"): that text is run unprepared from then on.
  const execute = async (
    target: pg.Pool | pg.PoolClient,
    sql: string,
    params: readonly SqlValue[],
  ) => {
    const config = query(sql, params);
    try {
      return await target.query(config);
    } catch (error) {
      if (config.name === undefined || (error as { code?: string }).code !== '0A000') throw error;
      names.delete(config.text);
      unnamed.add(config.text);
      return target.query({ text: config.text, values: config.values });
    }
  };
  const executor = (target: pg.Pool | pg.PoolClient): SqlExecutor => ({
    all: async <T>(sql: string, params: readonly SqlValue[] = []) =>
      (await execute(target, sql, params)).rows as T[],
    get: async <T>(sql: string, params: readonly SqlValue[] = []) =>
      (await execute(target, sql, params)).rows[0] as T | undefined,
    run: async (sql: string, params: readonly SqlValue[] = []): Promise<RunResult> => ({
      changes: (await execute(target, sql, params)).rowCount ?? 0,
    }),
  });
  const direct = executor(pool);

  let listener: pg.Client | null = null;
  const listeners = new Set<() => void>();
  let closed = false;
  const listen = async () => {
    if (closed || listener || listeners.size === 0) return;
    const client = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
    listener = client;
    const retry = () => {
      if (listener !== client) return;
      listener = null;
      client.end().catch(() => {});
      // Wake everyone: something may have been published while the connection was down.
      for (const l of listeners) l();
      setTimeout(() => void listen(), 1000).unref();
    };
    client.on('error', retry);
    client.on('end', retry);
    client.on('notification', () => {
      for (const l of listeners) l();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${channel}`);
    } catch {
      retry();
    }
  };

  // Publishing notifies once per request; under load those calls share NOTIFYs: at most one
  // is in flight, and every call made meanwhile is answered by the next one, sent after it.
  let sending: Promise<void> | null = null;
  let queued: Promise<void> | null = null;
  const notify = (): Promise<void> => {
    if (!sending) {
      sending = pool
        .query(`NOTIFY ${channel}`)
        .then(() => {})
        .finally(() => {
          sending = null;
        });
      return sending;
    }
    queued ??= sending
      .catch(() => {})
      .then(() => {
        queued = null;
        return notify();
      });
    return queued;
  };

  return withRiders({
    capabilities: postgresCapabilities,
    ...direct,
    async transaction(fn) {
      const client = await pool.connect();
      let broken: Error | undefined;
      // A connection lost while checked out (a database restart) must not crash the process.
      const onError = (error: Error) => {
        broken = error;
      };
      client.on('error', onError);
      try {
        await client.query('BEGIN');
        const result = await fn(executor(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch((rollbackError: Error) => {
          // The connection itself failed: the pool must not hand this client out again.
          broken = rollbackError;
        });
        throw error;
      } finally {
        client.off('error', onError);
        client.release(broken);
      }
    },
    async migrate() {
      const client = await pool.connect();
      client.on('error', () => {});
      const applied: string[] = [];
      try {
        await client.query('BEGIN');
        await client.query('SELECT pg_advisory_xact_lock($1)', [migrationLock]);
        await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
        await client.query(
          'CREATE TABLE IF NOT EXISTS herald_migrations (name TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)',
        );
        const done = new Set(
          (await client.query('SELECT name FROM herald_migrations')).rows.map((r) => r.name),
        );
        for (const file of readdirSync(migrationsDir)
          .filter((f) => f.endsWith('.sql'))
          .sort()) {
          if (done.has(file)) continue;
          await client.query(readFileSync(join(migrationsDir, file), 'utf8'));
          await client.query('INSERT INTO herald_migrations (name, applied_at) VALUES ($1, $2)', [
            file,
            Date.now(),
          ]);
          applied.push(file);
        }
        await client.query('COMMIT');
        return applied;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw new Error(`migration failed: ${(error as Error).message}`);
      } finally {
        client.release();
      }
    },
    async ping() {
      try {
        await pool.query('SELECT 1');
        return true;
      } catch {
        return false;
      }
    },
    notify,
    onNotify(fn) {
      listeners.add(fn);
      void listen();
      return () => listeners.delete(fn);
    },
    async close() {
      if (closed) return;
      closed = true;
      const l = listener;
      listener = null;
      await l?.end().catch(() => {});
      await pool.end();
    },
  });
}
