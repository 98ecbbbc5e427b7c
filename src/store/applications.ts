// Applications in the store.
import type { Application, ApplicationFields } from '../domain/application.ts';
import { conflict } from '../domain/errors.ts';
import type { Database, RunResult, SqlValue } from './database.ts';
import { createGroupCommit } from './group-commit.ts';
import { parseJson, toJson } from './json-columns.ts';
import { type Page, type PageQuery, paginate } from './pagination.ts';

type Row = {
  id: string;
  uid: string | null;
  name: string;
  rate_limit: number | null;
  metadata: string;
  policy: string | null;
  created_at: number;
  updated_at: number;
};

/** Applications (tenants). `find` and `list` never answer Herald's own internal one. */
export interface ApplicationRepository {
  /** Stores a new application and returns it. Throws a conflict when its uid is taken. */
  create(app: Application): Promise<Application>;
  /**
   * Finds an application by id or by uid (null: none). What it answers is shared with other
   * callers (frozen): change a copy.
   */
  find(idOrUid: string): Promise<Application | null>;
  /**
   * Lists applications; with `search`, only those whose name or uid contains it (ignoring
   * case) or whose id it is.
   */
  list(page: PageQuery, search?: string): Promise<Page<Application>>;
  /**
   * Replaces an application's fields; returns it as stored now, or null when there is none.
   * Throws a conflict when the new uid is taken.
   */
  update(id: string, fields: ApplicationFields, now: number): Promise<Application | null>;
  /**
   * Herald's own application (operational events), hidden from the API; made on first use.
   * Throws when a customer application already holds its uid.
   */
  ensureInternal(uid: string, name: string, id: string, now: number): Promise<Application>;
  /** Deletes an application with everything that belongs to it; false when there was none. */
  delete(id: string): Promise<boolean>;
}

const toApplication = (r: Row): Application => ({
  id: r.id,
  uid: r.uid,
  name: r.name,
  rateLimit: r.rate_limit,
  metadata: parseJson(r.metadata, {}),
  policy: parseJson(r.policy, null),
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
});

function frozen(app: Application): Application {
  Object.freeze(app.metadata);
  if (app.policy) Object.freeze(app.policy);
  return Object.freeze(app);
}

/**
 * Deletes the applications `where` selects; their endpoints, messages and deliveries go by
 * foreign key, their attempts explicitly (they have no foreign key on PostgreSQL: its
 * migration 004 says why).
 */
export function deleteApplications(
  db: Database,
  where: string,
  params: SqlValue[],
): Promise<RunResult> {
  return db.transaction(async (tx) => {
    await tx.run(
      `DELETE FROM attempts WHERE endpoint_id IN (SELECT id FROM endpoints WHERE app_id IN (SELECT id FROM applications WHERE ${where}))`,
      params,
    );
    return tx.run(`DELETE FROM applications WHERE ${where}`, params);
  });
}

export function applicationRepository(db: Database): ApplicationRepository {
  // Every publish looks its application up. Where one process owns the database, every
  // change to applications goes through here, so found applications are kept until the next
  // change (the generation tells a lookup that raced a change not to keep what it read).
  const cache = db.capabilities.singleProcess ? new Map<string, Application>() : null;
  let generation = 0;
  const changed = () => {
    generation++;
    cache?.clear();
  };
  /** A change of applications: what was kept is dropped, before and after it. */
  const change = async <T>(fn: () => Promise<T>): Promise<T> => {
    changed();
    try {
      return await fn();
    } finally {
      changed();
    }
  };

  /** By id first (two index probes in one OR query cost twice as much on every publish). */
  const read = async (idOrUid: string): Promise<Row | undefined> =>
    (idOrUid.startsWith('app_')
      ? await db.get<Row>('SELECT * FROM applications WHERE id = ? AND internal = 0', [idOrUid])
      : undefined) ??
    (await db.get<Row>('SELECT * FROM applications WHERE uid = ? AND internal = 0', [idOrUid]));
  // Where other processes share the database nothing is kept, but lookups arriving in the
  // same turn of the event loop (the publishes of a busy node) share one statement: a round
  // trip each was most of what a publish cost the node and the database server.
  const lookups = cache
    ? null
    : createGroupCommit<string, Row | undefined>(
        async (keys) => {
          const wanted = [...new Set(keys)];
          const ids = wanted.filter((k) => k.startsWith('app_'));
          const marks = (list: string[]) => list.map(() => '?').join(', ');
          const rows = await db.all<Row>(
            `SELECT * FROM applications WHERE internal = 0 AND (${ids.length > 0 ? `id IN (${marks(ids)}) OR ` : ''}uid IN (${marks(wanted)}))`,
            [...ids, ...wanted],
          );
          const byId = new Map(rows.map((r) => [r.id, r]));
          const byUid = new Map(rows.map((r) => [r.uid, r]));
          // By id first, as `read` does.
          return keys.map((k) => ({
            ok: true,
            value: (k.startsWith('app_') ? byId.get(k) : undefined) ?? byUid.get(k),
          }));
        },
        { maxBatch: 64 },
      );

  const uniqueUid = async <T>(uid: string | null, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (error) {
      if (db.capabilities.isUniqueViolation(error)) {
        throw conflict(`an application with uid "${uid}" already exists`);
      }
      throw error;
    }
  };

  return {
    async create(app: Application): Promise<Application> {
      await uniqueUid(app.uid, () =>
        change(() =>
          db.run(
            'INSERT INTO applications (id, uid, name, rate_limit, metadata, policy, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
            [
              app.id,
              app.uid,
              app.name,
              app.rateLimit,
              JSON.stringify(app.metadata),
              toJson(app.policy),
              app.createdAt,
              app.updatedAt,
            ],
          ),
        ),
      );
      return app;
    },

    async find(idOrUid: string): Promise<Application | null> {
      const cached = cache?.get(idOrUid);
      if (cached) return cached;
      const seen = generation;
      const row = lookups ? await lookups.add(idOrUid) : await read(idOrUid);
      if (!row) return null;
      const app = frozen(toApplication(row));
      if (cache && seen === generation) {
        if (cache.size >= 10_000) cache.clear();
        cache.set(idOrUid, app);
      }
      return app;
    },

    list(page: PageQuery, search?: string): Promise<Page<Application>> {
      const where = ['internal = 0'];
      const params: string[] = [];
      if (search) {
        const pattern = `%${search.toLowerCase().replaceAll(/[\\%_]/g, (c) => `\\${c}`)}%`;
        where.push("(LOWER(name) LIKE ? ESCAPE '\\' OR LOWER(uid) LIKE ? ESCAPE '\\' OR id = ?)");
        params.push(pattern, pattern, search);
      }
      return paginate(db, {
        from: 'SELECT * FROM applications',
        where,
        params,
        key: 'id',
        page,
        map: toApplication,
        keyOf: (a) => a.id,
      });
    },

    async update(id: string, fields: ApplicationFields, now: number): Promise<Application | null> {
      await uniqueUid(fields.uid, () =>
        change(() =>
          db.run(
            'UPDATE applications SET uid = ?, name = ?, rate_limit = ?, metadata = ?, policy = ?, updated_at = ? WHERE id = ?',
            [
              fields.uid,
              fields.name,
              fields.rateLimit,
              JSON.stringify(fields.metadata),
              toJson(fields.policy),
              now,
              id,
            ],
          ),
        ),
      );
      return this.find(id);
    },

    async ensureInternal(uid: string, name: string, id: string, now: number): Promise<Application> {
      await change(() =>
        db.run(
          'INSERT INTO applications (id, uid, name, metadata, internal, created_at, updated_at) VALUES (?, ?, ?, ?, 1, ?, ?) ON CONFLICT (uid) DO NOTHING',
          [id, uid, name, '{}', now, now],
        ),
      );
      const row = await db.get<Row>('SELECT * FROM applications WHERE uid = ? AND internal = 1', [
        uid,
      ]);
      if (!row)
        throw new Error(`the internal application ${uid} clashes with a customer application`);
      return toApplication(row);
    },

    async delete(id: string): Promise<boolean> {
      const result = await change(() => deleteApplications(db, 'id = ?', [id]));
      return result.changes > 0;
    },
  };
}
