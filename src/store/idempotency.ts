// Idempotency keys: the first request with a key claims it; its 2xx response is kept and
// replayed to later requests with the same key until the entry expires. Kept responses are
// sealed at rest: they may hold secrets (a portal token, an endpoint secret).
import type { Database } from './database.ts';
import type { SecretBox } from './secret-box.ts';

/** `requestHash`: what the request that claimed the key carried, when it said. */
export type IdempotencyEntry =
  | { state: 'claimed' }
  | { state: 'in-progress'; requestHash?: string }
  | { state: 'done'; statusCode: number; body: string; requestHash?: string };

/** Answers kept for repeated requests with one Idempotency-Key (by the key's hash). */
export interface IdempotencyRepository {
  /**
   * Claims the key, or tells what an earlier request with it left (an expired entry is
   * claimed afresh). `requestHash` (a hash of the request's body) is kept with the claim and
   * told to later requests with the key.
   */
  claim(
    keyHash: string,
    now: number,
    expiresAt: number,
    requestHash?: string | null,
  ): Promise<IdempotencyEntry>;
  /** Keeps the response of the request that claimed the key, for later requests with it. */
  complete(keyHash: string, statusCode: number, body: string): Promise<void>;
  /** Gives up a claim not completed, so that the key can be claimed again. */
  release(keyHash: string): Promise<void>;
  /** Deletes the entries that expired before `now`; returns how many. */
  purgeExpired(now: number): Promise<number>;
}

export function idempotencyRepository(db: Database, box: SecretBox): IdempotencyRepository {
  const claimOnce = (
    keyHash: string,
    now: number,
    expiresAt: number,
    requestHash: string | null,
  ): Promise<IdempotencyEntry> =>
    db.transaction(async (tx) => {
      const row = await tx.get<{
        state: number;
        status_code: number | null;
        body: string | null;
        expires_at: number;
        request_hash: string | null;
      }>(
        'SELECT state, status_code, body, expires_at, request_hash FROM idempotency_keys WHERE key_hash = ?',
        [keyHash],
      );
      if (row && Number(row.expires_at) > now) {
        const seen = row.request_hash ? { requestHash: row.request_hash } : {};
        if (Number(row.state) === 1) {
          return {
            state: 'done',
            statusCode: Number(row.status_code),
            body: box.open(row.body ?? ''),
            ...seen,
          };
        }
        return { state: 'in-progress', ...seen };
      }
      if (row) await tx.run('DELETE FROM idempotency_keys WHERE key_hash = ?', [keyHash]);
      await tx.run(
        'INSERT INTO idempotency_keys (key_hash, state, expires_at, request_hash) VALUES (?, 0, ?, ?)',
        [keyHash, expiresAt, requestHash],
      );
      return { state: 'claimed' };
    });

  return {
    async claim(
      keyHash: string,
      now: number,
      expiresAt: number,
      requestHash: string | null = null,
    ): Promise<IdempotencyEntry> {
      try {
        return await claimOnce(keyHash, now, expiresAt, requestHash);
      } catch (error) {
        // Another node inserted the same key between our read and our write.
        if (db.capabilities.isUniqueViolation(error)) return { state: 'in-progress' };
        throw error;
      }
    },

    async complete(keyHash: string, statusCode: number, body: string): Promise<void> {
      await db.run(
        'UPDATE idempotency_keys SET state = 1, status_code = ?, body = ? WHERE key_hash = ?',
        [statusCode, box.seal(body), keyHash],
      );
    },

    async release(keyHash: string): Promise<void> {
      await db.run('DELETE FROM idempotency_keys WHERE key_hash = ? AND state = 0', [keyHash]);
    },

    async purgeExpired(now: number): Promise<number> {
      const result = await db.run('DELETE FROM idempotency_keys WHERE expires_at < ?', [now]);
      return result.changes;
    },
  };
}
