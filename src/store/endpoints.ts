// Endpoints in the store. Lookups are always within one application.
import type { Endpoint } from '../domain/endpoint.ts';
import { conflict } from '../domain/errors.ts';
import type { Database, SqlExecutor } from './database.ts';
import { parseJson, toJson } from './json-columns.ts';
import { type Page, type PageQuery, paginate } from './pagination.ts';
import type { SecretBox } from './secret-box.ts';
import { openUrlPassword, sealUrlPassword } from './url-password.ts';

type Row = {
  id: string;
  app_id: string;
  uid: string | null;
  url: string;
  description: string;
  version: number;
  rate_limit: number | null;
  disabled: number;
  filter_types: string | null;
  channels: string | null;
  metadata: string;
  headers: string;
  secrets: string;
  policy: string | null;
  created_at: number;
  updated_at: number;
};

/** An endpoint with since when it has been failing (null: healthy). */
export type EndpointWithHealth = { endpoint: Endpoint; failSince: number | null };

/** Endpoints, with their secrets and headers sealed at rest (see secret-box.ts). */
export interface EndpointRepository {
  /**
   * Stores a new endpoint and returns it. Throws a conflict when its uid is taken in its
   * application.
   */
  create(e: Endpoint): Promise<Endpoint>;
  /** An application's endpoint by id or by uid, the id first (null: none). */
  find(appId: string, idOrUid: string): Promise<Endpoint | null>;
  /** An endpoint by id, whatever its application (null: none). */
  findById(id: string): Promise<Endpoint | null>;
  /** Lists an application's endpoints by id, disabled ones too. */
  list(appId: string, page: PageQuery): Promise<Page<Endpoint>>;
  /** Every enabled endpoint of an application. */
  listEnabled(appId: string): Promise<Endpoint[]>;
  /**
   * Every endpoint of an application (disabled ones too), by id, with since when it has been
   * failing.
   */
  listWithHealth(appId: string): Promise<EndpointWithHealth[]>;
  /**
   * Writes every field of an existing endpoint (found by id; its application and creation
   * time stay) and returns it. Throws a conflict when its uid is taken in its application.
   */
  update(e: Endpoint): Promise<Endpoint>;
  /** Sets the disabled flag; true when it changed. */
  setDisabled(id: string, disabled: boolean, now: number): Promise<boolean>;
  /** Deletes an endpoint with its deliveries and attempts; false when there was none. */
  delete(id: string): Promise<boolean>;
}

/** Reads an endpoint row; its headers and secrets are sealed at rest (see secret-box.ts). */
export const endpointReader =
  (box: SecretBox) =>
  (r: Row): Endpoint => ({
    id: r.id,
    appId: r.app_id,
    uid: r.uid,
    url: openUrlPassword(box, r.url),
    description: r.description,
    version: Number(r.version),
    rateLimit: r.rate_limit === null ? null : Number(r.rate_limit),
    disabled: Boolean(r.disabled),
    filterTypes: parseJson(r.filter_types, null),
    channels: parseJson(r.channels, null),
    metadata: parseJson(r.metadata, {}),
    headers: parseJson(box.open(r.headers), {}),
    secrets: parseJson(box.open(r.secrets), []),
    policy: parseJson(r.policy, null),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  });

export type EndpointRow = Row;

const columns = (box: SecretBox, e: Endpoint) => [
  e.uid,
  sealUrlPassword(box, e.url),
  e.description,
  e.version,
  e.rateLimit,
  e.disabled ? 1 : 0,
  toJson(e.filterTypes),
  toJson(e.channels),
  JSON.stringify(e.metadata),
  box.seal(JSON.stringify(e.headers)),
  box.seal(JSON.stringify(e.secrets)),
  toJson(e.policy),
  e.updatedAt,
];

/**
 * The enabled endpoints of some applications, each with since when it has been failing, by
 * application. Publishing reads them with `executor`, inside its own transaction where it has
 * one; it is not part of the port.
 */
export async function enabledEndpointsOf(
  executor: SqlExecutor,
  box: SecretBox,
  appIds: string[],
): Promise<Map<string, EndpointWithHealth[]>> {
  const byApp = new Map<string, EndpointWithHealth[]>();
  if (appIds.length === 0) return byApp;
  const toEndpoint = endpointReader(box);
  const rows = await executor.all<Row & { fail_since: number | null }>(
    `SELECT * FROM endpoints WHERE app_id IN (${appIds.map(() => '?').join(', ')}) AND disabled = 0`,
    appIds,
  );
  for (const r of rows) {
    const list = byApp.get(r.app_id) ?? [];
    list.push({
      endpoint: toEndpoint(r),
      failSince: r.fail_since === null ? null : Number(r.fail_since),
    });
    byApp.set(r.app_id, list);
  }
  return byApp;
}

export function endpointRepository(db: Database, box: SecretBox): EndpointRepository {
  const toEndpoint = endpointReader(box);
  const uniqueUid = async <T>(uid: string | null, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (error) {
      if (db.capabilities.isUniqueViolation(error)) {
        throw conflict(`an endpoint with uid "${uid}" already exists in this application`);
      }
      throw error;
    }
  };

  return {
    async create(e: Endpoint): Promise<Endpoint> {
      await uniqueUid(e.uid, () =>
        db.run(
          'INSERT INTO endpoints (uid, url, description, version, rate_limit, disabled, filter_types, channels, metadata, headers, secrets, policy, updated_at, id, app_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
          [...columns(box, e), e.id, e.appId, e.createdAt],
        ),
      );
      return e;
    },

    async find(appId: string, idOrUid: string): Promise<Endpoint | null> {
      const row = await db.get<Row>(
        'SELECT * FROM endpoints WHERE app_id = ? AND (id = ? OR uid = ?) ORDER BY id = ? DESC LIMIT 1',
        [appId, idOrUid, idOrUid, idOrUid],
      );
      return row ? toEndpoint(row) : null;
    },

    async findById(id: string): Promise<Endpoint | null> {
      const row = await db.get<Row>('SELECT * FROM endpoints WHERE id = ?', [id]);
      return row ? toEndpoint(row) : null;
    },

    list(appId: string, page: PageQuery): Promise<Page<Endpoint>> {
      return paginate(db, {
        from: 'SELECT * FROM endpoints',
        where: ['app_id = ?'],
        params: [appId],
        key: 'id',
        page,
        map: toEndpoint,
        keyOf: (e) => e.id,
      });
    },

    async listEnabled(appId: string): Promise<Endpoint[]> {
      const enabled = await enabledEndpointsOf(db, box, [appId]);
      return (enabled.get(appId) ?? []).map((e) => e.endpoint);
    },

    async listWithHealth(appId: string): Promise<EndpointWithHealth[]> {
      const rows = await db.all<Row & { fail_since: number | null }>(
        'SELECT * FROM endpoints WHERE app_id = ? ORDER BY id',
        [appId],
      );
      return rows.map((r) => ({
        endpoint: toEndpoint(r),
        failSince: r.fail_since === null ? null : Number(r.fail_since),
      }));
    },

    async update(e: Endpoint): Promise<Endpoint> {
      await uniqueUid(e.uid, () =>
        db.run(
          'UPDATE endpoints SET uid = ?, url = ?, description = ?, version = ?, rate_limit = ?, disabled = ?, filter_types = ?, channels = ?, metadata = ?, headers = ?, secrets = ?, policy = ?, updated_at = ? WHERE id = ?',
          [...columns(box, e), e.id],
        ),
      );
      return e;
    },

    async setDisabled(id: string, disabled: boolean, now: number): Promise<boolean> {
      const result = await db.run(
        'UPDATE endpoints SET disabled = ?, updated_at = ? WHERE id = ? AND disabled = ?',
        [disabled ? 1 : 0, now, id, disabled ? 0 : 1],
      );
      return result.changes > 0;
    },

    delete(id: string): Promise<boolean> {
      return db.transaction(async (tx) => {
        // Attempts have no foreign key on PostgreSQL (its migration 004 says why).
        await tx.run('DELETE FROM attempts WHERE endpoint_id = ?', [id]);
        const result = await tx.run('DELETE FROM endpoints WHERE id = ?', [id]);
        return result.changes > 0;
      });
    },
  };
}
