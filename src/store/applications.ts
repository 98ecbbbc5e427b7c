// Applications in the store.
import type { Application, ApplicationFields } from '../domain/application.ts';
import { conflict } from '../domain/errors.ts';
import type { Database, SqlExecutor } from './database.ts';
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

export function applicationRepository(db: Database) {
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
    async create(app: Application, tx: SqlExecutor = db): Promise<Application> {
      await uniqueUid(app.uid, () =>
        tx.run(
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
      );
      return app;
    },

    /** Finds an application by id or by uid. */
    async find(idOrUid: string, tx: SqlExecutor = db): Promise<Application | null> {
      // By id first (two index probes in one OR query cost twice as much on every publish).
      const row =
        (idOrUid.startsWith('app_')
          ? await tx.get<Row>('SELECT * FROM applications WHERE id = ? AND internal = 0', [idOrUid])
          : undefined) ??
        (await tx.get<Row>('SELECT * FROM applications WHERE uid = ? AND internal = 0', [idOrUid]));
      return row ? toApplication(row) : null;
    },

    list(page: PageQuery): Promise<Page<Application>> {
      return paginate(db, {
        from: 'SELECT * FROM applications',
        where: ['internal = 0'],
        params: [],
        key: 'id',
        page,
        map: toApplication,
        keyOf: (a) => a.id,
      });
    },

    async update(id: string, fields: ApplicationFields, now: number): Promise<Application | null> {
      await uniqueUid(fields.uid, () =>
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
      );
      return this.find(id);
    },

    /** Herald's own application (operational events), hidden from the API; made on first use. */
    async ensureInternal(uid: string, name: string, id: string, now: number): Promise<Application> {
      await db.run(
        'INSERT INTO applications (id, uid, name, metadata, internal, created_at, updated_at) VALUES (?, ?, ?, ?, 1, ?, ?) ON CONFLICT (uid) DO NOTHING',
        [id, uid, name, '{}', now, now],
      );
      const row = await db.get<Row>('SELECT * FROM applications WHERE uid = ? AND internal = 1', [
        uid,
      ]);
      if (!row)
        throw new Error(`the internal application ${uid} clashes with a customer application`);
      return toApplication(row);
    },

    async delete(id: string): Promise<boolean> {
      const result = await db.run('DELETE FROM applications WHERE id = ?', [id]);
      return result.changes > 0;
    },
  };
}

export type ApplicationRepository = ReturnType<typeof applicationRepository>;
