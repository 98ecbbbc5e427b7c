// Bearer-token authentication for every route, and the access rules of each route's `auth`
// setting: 'public' (no token), 'admin' (operator only), 'app' (operator, or a token scoped
// to the application in the path, checked when the application is loaded), 'any' (any token).
// Under /api/v1, a request without a bearer token may instead carry an operator console
// session cookie, which counts only together with its CSRF token in the X-Herald-CSRF header.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HeraldError } from '../domain/errors.ts';
import type { Authenticator, Principal } from '../services/auth.ts';
import {
  type ConsoleSessions,
  consoleCookieName,
  csrfHeaderName,
  readCookie,
} from '../services/console-sessions.ts';

export type RouteAuth = 'public' | 'admin' | 'app' | 'any';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    auth?: RouteAuth;
    /** A write that a read-only token may still make (logging out). */
    readOnlyAllowed?: boolean;
  }
}

export function bearerToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? null;
}

const readMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The console session id a request's cookie carries, or null. */
export const consoleSessionId = (request: FastifyRequest): string | null =>
  readCookie(request.headers.cookie, consoleCookieName);

/** The CSRF header's value, if it came once. */
export function csrfHeader(request: FastifyRequest): string | undefined {
  const value = request.headers[csrfHeaderName];
  return typeof value === 'string' ? value : undefined;
}

export function registerAuth(
  app: FastifyInstance,
  authenticator: Authenticator,
  sessions: ConsoleSessions,
  apiPrefix: string,
): void {
  /** The operator, through a console session cookie and its CSRF header; throws otherwise. */
  const sessionPrincipal = async (request: FastifyRequest, sessionId: string) => {
    if (!sessions.csrfMatches(sessionId, csrfHeader(request))) {
      throw new HeraldError(
        'csrf_failed',
        'a console session needs its CSRF token in the X-Herald-CSRF header',
      );
    }
    const session = await sessions.find(sessionId);
    if (!session)
      throw new HeraldError('authentication_failed', 'the console session expired or ended');
    return { kind: 'admin' } as const;
  };

  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (request) => {
    const auth = request.routeOptions.config.auth ?? 'admin';
    if (auth === 'public' || !request.routeOptions.url) return;
    const token = bearerToken(request);
    const sessionId =
      token === null && request.routeOptions.url.startsWith(`${apiPrefix}/`)
        ? consoleSessionId(request)
        : null;
    if (!token && !sessionId)
      throw new HeraldError(
        'authentication_failed',
        'missing bearer token in the Authorization header',
      );
    const principal = token
      ? await authenticator.authenticate(token)
      : await sessionPrincipal(request, sessionId as string);
    if (!principal) throw new HeraldError('authentication_failed', 'invalid or expired token');
    request.principal = principal;
    if (auth === 'admin' && principal.kind !== 'admin') {
      throw new HeraldError('insufficient access', 'this token is scoped to one application');
    }
    if (
      principal.kind === 'app' &&
      principal.readOnly &&
      !readMethods.has(request.method) &&
      !request.routeOptions.config.readOnlyAllowed
    ) {
      throw new HeraldError('read_only', 'this token is read-only: it may not change anything');
    }
  });
}

/** Throws unless the caller may act on this application. */
export function assertAppAccess(request: FastifyRequest, appId: string): void {
  const principal = request.principal;
  if (principal?.kind === 'admin') return;
  if (principal?.kind === 'app' && principal.appId === appId) return;
  throw new HeraldError('insufficient access', 'this token may not act on this application');
}
