// Bearer-token authentication for every route, and the access rules of each route's `auth`
// setting: 'public' (no token), 'admin' (operator only), 'app' (operator, or a token scoped
// to the application in the path, checked when the application is loaded), 'any' (any token).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HeraldError } from '../domain/errors.ts';
import type { Authenticator, Principal } from '../services/auth.ts';

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

export function registerAuth(app: FastifyInstance, authenticator: Authenticator): void {
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (request) => {
    const auth = request.routeOptions.config.auth ?? 'admin';
    if (auth === 'public' || !request.routeOptions.url) return;
    const token = bearerToken(request);
    if (!token)
      throw new HeraldError(
        'authentication_failed',
        'missing bearer token in the Authorization header',
      );
    const principal = await authenticator.authenticate(token);
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
