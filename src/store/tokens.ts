// API tokens: only their SHA-256 hashes are stored. A token with an app_id is scoped to it;
// one without is an operator token.
import type { Database } from './database.ts';

export type TokenRecord = {
  id: string;
  appId: string | null;
  expiresAt: number | null;
  revokedAt: number | null;
  /** A read-only token may read; the API refuses its writes. */
  readOnly: boolean;
};

type Row = {
  id: string;
  app_id: string | null;
  expires_at: number | null;
  revoked_at: number | null;
  read_only: number;
};

/** API tokens, stored as hashes. */
export interface TokenRepository {
  /** Stores a token by the hash of its secret. */
  create(token: TokenRecord & { hash: string; createdAt: number }): Promise<void>;
  /** The token with this hash, revoked and expired ones too: the caller checks (null: none). */
  findByHash(hash: string): Promise<TokenRecord | null>;
  /** Every token, newest first, without its hash. */
  list(): Promise<(TokenRecord & { createdAt: number })[]>;
  /** Marks a token revoked; false when there is no such token or it already was. */
  revoke(id: string, now: number): Promise<boolean>;
  /** Revokes every token of an application not revoked yet; returns how many. */
  revokeAllForApp(appId: string, now: number): Promise<number>;
  /** Deletes the tokens that expired before `now`; returns how many. */
  purgeExpired(now: number): Promise<number>;
}

export function tokenRepository(db: Database): TokenRepository {
  return {
    async create(token: TokenRecord & { hash: string; createdAt: number }): Promise<void> {
      await db.run(
        'INSERT INTO tokens (id, token_hash, app_id, created_at, expires_at, read_only) VALUES (?, ?, ?, ?, ?, ?)',
        [
          token.id,
          token.hash,
          token.appId,
          token.createdAt,
          token.expiresAt,
          token.readOnly ? 1 : 0,
        ],
      );
    },

    async findByHash(hash: string): Promise<TokenRecord | null> {
      const row = await db.get<Row>(
        'SELECT id, app_id, expires_at, revoked_at, read_only FROM tokens WHERE token_hash = ?',
        [hash],
      );
      if (!row) return null;
      return {
        id: row.id,
        appId: row.app_id,
        expiresAt: row.expires_at === null ? null : Number(row.expires_at),
        revokedAt: row.revoked_at === null ? null : Number(row.revoked_at),
        readOnly: Number(row.read_only) === 1,
      };
    },

    async list(): Promise<(TokenRecord & { createdAt: number })[]> {
      const rows = await db.all<Row & { created_at: number }>(
        'SELECT id, app_id, created_at, expires_at, revoked_at, read_only FROM tokens ORDER BY id DESC',
      );
      return rows.map((row) => ({
        id: row.id,
        appId: row.app_id,
        createdAt: Number(row.created_at),
        expiresAt: row.expires_at === null ? null : Number(row.expires_at),
        revokedAt: row.revoked_at === null ? null : Number(row.revoked_at),
        readOnly: Number(row.read_only) === 1,
      }));
    },

    async revoke(id: string, now: number): Promise<boolean> {
      const result = await db.run(
        'UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL',
        [now, id],
      );
      return result.changes > 0;
    },

    async revokeAllForApp(appId: string, now: number): Promise<number> {
      const result = await db.run(
        'UPDATE tokens SET revoked_at = ? WHERE app_id = ? AND revoked_at IS NULL',
        [now, appId],
      );
      return result.changes;
    },

    async purgeExpired(now: number): Promise<number> {
      const result = await db.run(
        'DELETE FROM tokens WHERE expires_at IS NOT NULL AND expires_at < ?',
        [now],
      );
      return result.changes;
    },
  };
}
