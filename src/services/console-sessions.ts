// Operator console sessions. The operator token is exchanged once for a random session id,
// which travels only in an HttpOnly, SameSite=Strict cookie; the store keeps a hash of it with
// an expiry (in the tokens table, with no application). Each session has a CSRF token derived
// from the session id (an HMAC under it), which the page sends in a header: the cookie alone
// never authenticates anything.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Clock, Random } from '../domain/clock.ts';
import type { IdGenerator } from '../domain/ids.ts';
import type { Store } from '../store/store.ts';

export const consoleCookieName = 'herald_console';
export const csrfHeaderName = 'x-herald-csrf';

/**
 * A session id is hashed under its own label, so it can never match a bearer token's hash, and
 * with the operator token's hash, so changing the operator token ends every session.
 */
// An HMAC, not a plain SHA-256 of some text: session rows sit in the tokens table beside
// bearer tokens (stored as SHA-256 of the token), and no bearer token can hash to an HMAC.
const sessionHash = (sessionId: string, adminTokenHash: string): string =>
  createHmac('sha256', `herald-console-session:${adminTokenHash}`).update(sessionId).digest('hex');

/** The CSRF token of a session: only the holder of the session id can compute it. */
export const csrfTokenFor = (sessionId: string): string =>
  createHmac('sha256', sessionId).update('herald-console-csrf').digest('base64url');

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export type ConsoleSession = { tokenId: string; expiresAt: number; csrfToken: string };

export type ConsoleSessions = ReturnType<typeof createConsoleSessions>;

export function createConsoleSessions(deps: {
  store: Store;
  clock: Clock;
  random: Random;
  newId: IdGenerator;
  ttlSeconds: number;
  /** The hash of the operator token the sessions are opened with. */
  adminTokenHash: string;
}) {
  return {
    ttlSeconds: deps.ttlSeconds,

    /** Starts a session; the caller has already checked the operator token. */
    async open(): Promise<ConsoleSession & { sessionId: string }> {
      const sessionId = deps.random.bytes(32).toString('base64url');
      const now = deps.clock.now();
      const expiresAt = now + deps.ttlSeconds * 1000;
      const tokenId = deps.newId('token');
      await deps.store.tokens.create({
        id: tokenId,
        hash: sessionHash(sessionId, deps.adminTokenHash),
        appId: null,
        createdAt: now,
        expiresAt,
        revokedAt: null,
        readOnly: false,
      });
      return { sessionId, tokenId, expiresAt, csrfToken: csrfTokenFor(sessionId) };
    },

    /** The live session this id names, or null (unknown, expired or logged out). */
    async find(sessionId: string): Promise<ConsoleSession | null> {
      const record = await deps.store.tokens.findByHash(
        sessionHash(sessionId, deps.adminTokenHash),
      );
      if (!record || record.appId !== null || record.revokedAt !== null) return null;
      if (record.expiresAt === null || record.expiresAt <= deps.clock.now()) return null;
      return {
        tokenId: record.id,
        expiresAt: record.expiresAt,
        csrfToken: csrfTokenFor(sessionId),
      };
    },

    /** Does this header value carry the session's CSRF token? */
    csrfMatches: (sessionId: string, given: string | undefined): boolean =>
      typeof given === 'string' && sameText(given, csrfTokenFor(sessionId)),

    /** Ends a session (logout). */
    close: (tokenId: string) => deps.store.tokens.revoke(tokenId, deps.clock.now()),
  };
}

/** The value of one cookie in a Cookie header, or null. */
export function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      const value = part.slice(eq + 1).trim();
      return value === '' ? null : value;
    }
  }
  return null;
}
