// /api/v1/auth: tokens for the customer portal, scoped to one application.
import { Type } from '@sinclair/typebox';
import { loadOrCreateApp } from '../inline-application.ts';
import { loadApp } from '../load.ts';
import { InlineApplicationIn } from '../schemas/application.ts';
import { errorResponses, IdOrUid } from '../schemas/common.ts';
import type { AppDeps, HeraldFastify } from '../types.ts';
import type { ApplicationInput } from './applications.ts';

const tags = ['Authentication'];
const AppPortalAccessOut = Type.Object(
  { url: Type.String(), token: Type.String() },
  { title: 'AppPortalAccessOut' },
);

const WhoAmIOut = Type.Object(
  {
    kind: Type.Union([Type.Literal('operator'), Type.Literal('application')]),
    appId: Type.Union([Type.String(), Type.Null()]),
    readOnly: Type.Boolean(),
    expiresAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  },
  { title: 'WhoAmIOut' },
);

export function authRoutes(api: HeraldFastify, deps: AppDeps): void {
  const { store, authenticator, config } = deps;
  const baseUrl = config.publicUrl ?? `http://${config.host}:${config.port}`;

  const portalAccess = async (
    appIdOrUid: string,
    request: Parameters<typeof loadApp>[1],
    expiry?: number,
    inline?: ApplicationInput | null,
    readOnly?: boolean,
  ) => {
    const application = await loadOrCreateApp(deps, request, appIdOrUid, inline);
    const ttl = expiry ?? config.portalTokenTtlSeconds;
    const { token } = await authenticator.issueAppToken(application.id, ttl, { readOnly });
    return { url: `${baseUrl.replace(/\/$/, '')}/portal/#key=${encodeURIComponent(token)}`, token };
  };

  const Body = Type.Optional(
    Type.Object({
      expiry: Type.Optional(
        Type.Union([Type.Integer({ minimum: 60, maximum: 604_800 }), Type.Null()]),
      ),
      featureFlags: Type.Optional(Type.Array(Type.String())),
      readOnly: Type.Optional(Type.Boolean()),
      application: InlineApplicationIn,
    }),
  );

  api.post(
    '/auth/app-portal-access/:app_id',
    {
      schema: {
        tags,
        operationId: 'v1.authentication.app-portal-access',
        summary: "Get a short-lived link to an application's portal",
        description:
          'The token in the answer can act on this application only, until it expires (`expiry` seconds). With `readOnly`, the API refuses every write it attempts (403 `read_only`), and the portal shows no write controls.',
        params: Type.Object({ app_id: IdOrUid }),
        body: Body,
        response: { 200: AppPortalAccessOut, ...errorResponses },
      },
    },
    async (request) =>
      portalAccess(
        request.params.app_id,
        request,
        request.body?.expiry ?? undefined,
        request.body?.application,
        request.body?.readOnly,
      ),
  );

  api.post(
    '/auth/dashboard-access/:app_id',
    {
      schema: {
        tags,
        operationId: 'v1.authentication.dashboard-access',
        summary: 'Older name of app-portal-access',
        deprecated: true,
        params: Type.Object({ app_id: IdOrUid }),
        response: { 200: AppPortalAccessOut, ...errorResponses },
      },
    },
    async (request) => portalAccess(request.params.app_id, request),
  );

  api.post(
    '/auth/logout',
    {
      config: { auth: 'any', readOnlyAllowed: true },
      schema: {
        tags,
        operationId: 'v1.authentication.logout',
        summary: 'Revoke the application-scoped token this request carries',
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const principal = request.principal;
      if (principal?.kind === 'app') await authenticator.revoke(principal.tokenId);
      return reply.code(204).send(null);
    },
  );

  api.get(
    '/auth/whoami',
    {
      config: { auth: 'any' },
      schema: {
        tags,
        operationId: 'v1.authentication.whoami',
        summary: 'Describe the token this request carries',
        description:
          'A Herald extension. For an application-scoped token (a portal link): its application, whether it is read-only and when it expires. The portal starts from this.',
        response: { 200: WhoAmIOut, ...errorResponses },
      },
    },
    async (request) => {
      const principal = request.principal;
      if (principal?.kind !== 'app') {
        return { kind: 'operator' as const, appId: null, readOnly: false, expiresAt: null };
      }
      return {
        kind: 'application' as const,
        appId: principal.appId,
        readOnly: principal.readOnly,
        expiresAt:
          principal.expiresAt === null ? null : new Date(principal.expiresAt).toISOString(),
      };
    },
  );

  api.post(
    '/auth/app/:app_id/expire-all',
    {
      schema: {
        tags,
        operationId: 'v1.authentication.expire-all',
        summary: 'Revoke every portal token of an application',
        params: Type.Object({ app_id: IdOrUid }),
        body: Type.Optional(
          Type.Object({ expiry: Type.Optional(Type.Union([Type.Integer(), Type.Null()])) }),
        ),
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const application = await loadApp(store, request, request.params.app_id);
      await authenticator.revokeAllForApp(application.id);
      return reply.code(204).send(null);
    },
  );
}
