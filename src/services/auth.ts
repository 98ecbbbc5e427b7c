// Who is calling: the operator (the admin token, or an operator token made by `herald token
// create`) or a token scoped to one application (a portal session, or `herald token create
// --app`). Only SHA-256 hashes of tokens are kept.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Clock, Random } from '../domain/clock.ts';
import type { IdGenerator } from '../domain/ids.ts';
import type { Store } from '../store/store.ts';

export type Principal =
  | { kind: 'admin' }
  | {
      kind: 'app';
      appId: string;
      tokenId: string;
      /** The API refuses every write of a read-only token. */
      readOnly: boolean;
      expiresAt: number | null;
    };

const adminHashKey = 'admin_token_hash';

export const hashToken = (token: string): string =>
  createHash('sha256').update(token).digest('hex');

function newToken(random: Random, kind: 'admin' | 'app'): string {
  return `hrld_${kind}_${random.bytes(32).toString('base64url')}`;
}

/**
 * Makes sure an operator token exists. A configured token wins; otherwise the stored hash is
 * used, and on the very first start a token is generated and returned (to be shown once).
 */
export async function ensureAdminToken(
  store: Store,
  configured: string | undefined,
  random: Random,
): Promise<{ hash: string; generated: string | null }> {
  if (configured) return { hash: hashToken(configured), generated: null };
  const stored = await store.settings.get(adminHashKey);
  if (stored) return { hash: stored, generated: null };
  const token = newToken(random, 'admin');
  const hash = hashToken(token);
  await store.settings.set(adminHashKey, hash);
  return { hash, generated: token };
}

/**
 * Issues an operator token (`appId` null) or one scoped to an application, valid for
 * `ttlSeconds` or until revoked (null). The token is returned once; only its hash is kept.
 */
export async function issueToken(
  deps: { store: Store; clock: Clock; random: Random; newId: IdGenerator },
  appId: string | null,
  ttlSeconds: number | null,
  readOnly = false,
): Promise<{ id: string; token: string; expiresAt: number | null }> {
  const token = newToken(deps.random, appId === null ? 'admin' : 'app');
  const now = deps.clock.now();
  const id = deps.newId('token');
  const expiresAt = ttlSeconds === null ? null : now + ttlSeconds * 1000;
  await deps.store.tokens.create({
    id,
    hash: hashToken(token),
    appId,
    createdAt: now,
    expiresAt,
    revokedAt: null,
    readOnly,
  });
  return { id, token, expiresAt };
}

export type Authenticator = ReturnType<typeof createAuthenticator>;

export function createAuthenticator(deps: {
  store: Store;
  adminTokenHash: string;
  clock: Clock;
  random: Random;
  newId: IdGenerator;
}) {
  const adminHash = Buffer.from(deps.adminTokenHash, 'hex');
  const issue = (appId: string | null, ttlSeconds: number | null, readOnly = false) =>
    issueToken(deps, appId, ttlSeconds, readOnly);
  return {
    /** The operator token's hash: console sessions are bound to it. */
    adminTokenHash: deps.adminTokenHash,

    async authenticate(token: string): Promise<Principal | null> {
      const hash = hashToken(token);
      const hashBytes = Buffer.from(hash, 'hex');
      if (hashBytes.length === adminHash.length && timingSafeEqual(hashBytes, adminHash)) {
        return { kind: 'admin' };
      }
      const record = await deps.store.tokens.findByHash(hash);
      if (!record || record.revokedAt !== null) return null;
      if (record.expiresAt !== null && record.expiresAt <= deps.clock.now()) return null;
      if (record.appId === null) return { kind: 'admin' };
      return {
        kind: 'app',
        appId: record.appId,
        tokenId: record.id,
        readOnly: record.readOnly,
        expiresAt: record.expiresAt,
      };
    },

    /**
     * Issues a token that can act on one application only, for `ttlSeconds`; a read-only one
     * may only read.
     */
    async issueAppToken(
      appId: string,
      ttlSeconds: number,
      options: { readOnly?: boolean } = {},
    ): Promise<{ token: string; expiresAt: number }> {
      const issued = await issue(appId, ttlSeconds, options.readOnly ?? false);
      return { token: issued.token, expiresAt: issued.expiresAt ?? 0 };
    },

    revoke: (tokenId: string) => deps.store.tokens.revoke(tokenId, deps.clock.now()),
    revokeAllForApp: (appId: string) => deps.store.tokens.revokeAllForApp(appId, deps.clock.now()),
  };
}
