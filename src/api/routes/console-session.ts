// /api/v1/auth/console-session: the operator console's login and logout. The operator token is
// exchanged once for a session cookie (HttpOnly, SameSite=Strict, Path=/api/v1) and a CSRF
// token; the auth hook accepts the cookie only with that token in the X-Herald-CSRF header.
import { Type } from '@sinclair/typebox';
import { HeraldError } from '../../domain/errors.ts';
import { consoleCookieName } from '../../services/console-sessions.ts';
import { consoleSessionId, csrfHeader } from '../auth-hook.ts';
import { errorResponses, iso, Nullable } from '../schemas/common.ts';
import type { AppDeps, HeraldFastify } from '../types.ts';

const tags = ['Authentication'];

const ConsoleSessionOut = Type.Object(
  {
    csrfToken: Type.String({
      description: 'Send it in the `X-Herald-CSRF` header of every request this session makes.',
    }),
    expiresAt: Type.String({ format: 'date-time' }),
  },
  { title: 'ConsoleSessionOut' },
);

const ConsoleSessionState = Type.Object(
  {
    active: Type.Boolean(),
    csrfToken: Nullable(Type.String()),
    expiresAt: Nullable(Type.String({ format: 'date-time' })),
  },
  { title: 'ConsoleSessionState' },
);

export function consoleSessionRoutes(api: HeraldFastify, deps: AppDeps): void {
  const sessions = deps.consoleSessions;
  const secure = deps.config.publicUrl?.startsWith('https://') ? '; Secure' : '';
  // The cookie goes to the API only: the pages (/console/, /portal/, /play/) never see it.
  const cookie = (value: string, maxAge: number) =>
    `${consoleCookieName}=${value}; Path=/api/v1; Max-Age=${maxAge}; HttpOnly; SameSite=Strict${secure}`;
  const path = '/auth/console-session';

  api.post(
    path,
    {
      config: { auth: 'public' },
      schema: {
        tags,
        operationId: 'v1.authentication.console-session.create',
        summary: 'Log in to the operator console',
        description:
          'Exchanges the operator token for a session: the answer sets the `herald_console` cookie (HttpOnly, SameSite=Strict) and carries the CSRF token that must accompany it. A wrong token is a 401 and sets no cookie.',
        security: [],
        body: Type.Object({ token: Type.String({ minLength: 1, maxLength: 1024 }) }),
        response: { 201: ConsoleSessionOut, ...errorResponses },
      },
    },
    async (request, reply) => {
      const principal = await deps.authenticator.authenticate(request.body.token);
      if (principal?.kind !== 'admin')
        throw new HeraldError('authentication_failed', 'that is not the operator token');
      const session = await sessions.open();
      return reply
        .code(201)
        .header('set-cookie', cookie(session.sessionId, sessions.ttlSeconds))
        .header('cache-control', 'no-store')
        .send({ csrfToken: session.csrfToken, expiresAt: iso(session.expiresAt) });
    },
  );

  api.get(
    path,
    {
      config: { auth: 'public' },
      schema: {
        tags,
        operationId: 'v1.authentication.console-session.get',
        summary: "Tell whether this browser's console session is live",
        description:
          'Answers the CSRF token of the session the cookie names (a page on another site cannot read this answer), or `active: false`.',
        security: [],
        response: { 200: ConsoleSessionState, ...errorResponses },
      },
    },
    async (request, reply) => {
      const sessionId = consoleSessionId(request);
      const session = sessionId ? await sessions.find(sessionId) : null;
      reply.header('cache-control', 'no-store');
      if (!session) return { active: false, csrfToken: null, expiresAt: null };
      return { active: true, csrfToken: session.csrfToken, expiresAt: iso(session.expiresAt) };
    },
  );

  api.delete(
    path,
    {
      config: { auth: 'public' },
      schema: {
        tags,
        operationId: 'v1.authentication.console-session.delete',
        summary: 'Log out of the operator console',
        description:
          'Ends the session the cookie names (its CSRF token is required) and clears the cookie.',
        security: [],
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const sessionId = consoleSessionId(request);
      if (sessionId) {
        if (!sessions.csrfMatches(sessionId, csrfHeader(request)))
          throw new HeraldError(
            'csrf_failed',
            'logging out needs the CSRF token in the X-Herald-CSRF header',
          );
        const session = await sessions.find(sessionId);
        if (session) await sessions.close(session.tokenId);
      }
      return reply.code(204).header('set-cookie', cookie('', 0)).send(null);
    },
  );
}
