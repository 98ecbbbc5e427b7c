// Builds Herald's HTTP application over services built once by createHerald (herald.ts). It
// never listens: the `serve` command owns the process.

import { randomUUID } from 'node:crypto';
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyServerOptions } from 'fastify';
import { HeraldError } from '../domain/errors.ts';
import { registerWeb } from '../web/web-routes.ts';
import { registerAuth } from './auth-hook.ts';
import { handleClientError } from './client-errors.ts';
import { handleError } from './errors.ts';
import { registerIdempotency } from './idempotency.ts';
import { registerNulGuard } from './nul-characters.ts';
import { registerOptionalBodies } from './optional-body.ts';
import { registerPlayInbox } from './play-inbox.ts';
import { registerRequestBudget } from './request-budget.ts';
import { applicationRoutes } from './routes/applications.ts';
import { attemptFeedRoutes } from './routes/attempt-feed.ts';
import { attemptRoutes } from './routes/attempts.ts';
import { authRoutes } from './routes/auth.ts';
import { backgroundTaskRoutes } from './routes/background-tasks.ts';
import { consoleSessionRoutes } from './routes/console-session.ts';
import { endpointHealthRoutes } from './routes/endpoint-health.ts';
import { endpointStatsRoutes } from './routes/endpoint-stats.ts';
import { endpointTaskRoutes } from './routes/endpoint-tasks.ts';
import { endpointRoutes, endpointTestRoute } from './routes/endpoints.ts';
import { eventTypeRoutes } from './routes/event-types.ts';
import { healthRoutes } from './routes/health.ts';
import { messageRoutes } from './routes/messages.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { operationalEventRoutes } from './routes/operational-events.ts';
import { operationalWebhookRoutes } from './routes/operational-webhooks.ts';
import { playRoutes } from './routes/play.ts';
import { queueRoutes } from './routes/queue.ts';
import { simpleWebhookRoutes } from './routes/simple-webhooks.ts';
import { HttpErrorOut, ValidationErrorOut } from './schemas/common.ts';
import type { AppDeps, HeraldFastify } from './types.ts';
import { lazySerializers, validatorCompiler } from './validation.ts';

export const apiPrefix = '/api/v1';

const requestIdPattern = /^[A-Za-z0-9._:-]{1,128}$/;

export const routeGroups = [
  healthRoutes,
  authRoutes,
  consoleSessionRoutes,
  applicationRoutes,
  eventTypeRoutes,
  endpointRoutes,
  endpointTestRoute,
  endpointStatsRoutes,
  endpointHealthRoutes,
  messageRoutes,
  attemptRoutes,
  attemptFeedRoutes,
  endpointTaskRoutes,
  backgroundTaskRoutes,
  operationalWebhookRoutes,
  operationalEventRoutes,
  queueRoutes,
  playRoutes,
];

/** The largest request body: a payload at its limit, escaped, with the message's fields. */
const bodyLimit = (maxPayloadBytes: number) => maxPayloadBytes * 2 + 65_536;

export async function buildApp(
  deps: AppDeps,
  options: { logger?: FastifyServerOptions['logger'] } = {},
) {
  const app = Fastify({
    logger: options.logger ?? false,
    // Paths carry uids and event type names of up to 256 characters (the router's default
    // limit is 100); longer ones reach validation and get a 422.
    routerOptions: {
      ignoreDuplicateSlashes: true,
      ignoreTrailingSlash: true,
      maxParamLength: 1024,
    },
    bodyLimit: bodyLimit(deps.config.maxPayloadBytes),
    // Malformed URLs and over-long parameters answer in Svix's error shape too.
    frameworkErrors: handleError,
    clientErrorHandler: handleClientError,
    schemaController: { compilersFactory: { buildSerializer: lazySerializers } },
    // A caller's X-Request-Id (when well formed) names the request in the logs, else a new
    // one; either way the answer carries it, and so do the attempts the request causes.
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && requestIdPattern.test(given) ? given : randomUUID();
    },
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.setValidatorCompiler(validatorCompiler());

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Herald API',
        version: '1.0.0',
        description:
          "A self-hosted webhook sending service. The API follows Svix's, so Svix SDKs work with it.",
      },
      components: {
        securitySchemes: { HTTPBearer: { type: 'http', scheme: 'bearer' } },
      },
      security: [{ HTTPBearer: [] }],
    },
    refResolver: {
      buildLocalReference: (json, _base, _fragment, i) => String(json.$id ?? `def-${i}`),
    },
  });
  app.addSchema(HttpErrorOut);
  app.addSchema(ValidationErrorOut);

  app.setErrorHandler(handleError);
  // Fastify parses text/plain by default; Herald's API takes JSON only (415 otherwise).
  app.removeContentTypeParser('text/plain');
  app.setNotFoundHandler((request, reply) =>
    handleError(
      new HeraldError('not_found', `no route for ${request.method} ${request.url.split('?')[0]}`),
      request,
      reply,
    ),
  );
  registerRequestBudget(app, {
    limitBytes: deps.config.maxRequestBytesInFlight,
    bodyLimit: bodyLimit(deps.config.maxPayloadBytes),
  });
  registerAuth(app, deps.authenticator, deps.consoleSessions, apiPrefix);
  metricsRoutes(app as unknown as HeraldFastify, {
    metrics: deps.metrics,
    metricsToken: deps.config.metricsToken,
    authenticator: deps.authenticator,
  });
  registerIdempotency(app, {
    store: deps.store,
    clock: deps.clock,
    ttlSeconds: deps.config.idempotencyTtlSeconds,
  });
  registerOptionalBodies(app);
  registerNulGuard(app);

  await app.register(
    async (api) => {
      for (const routes of routeGroups) routes(api as HeraldFastify, deps);
      api.get('/openapi.json', { config: { auth: 'public' }, schema: { hide: true } }, async () =>
        app.swagger(),
      );
    },
    { prefix: apiPrefix },
  );
  // The simple webhooks API lives beside /api/v1, under /v1.
  simpleWebhookRoutes(app as unknown as HeraldFastify, deps);
  // Play inboxes record any request at /play/in/{id}.
  await registerPlayInbox(app, deps.play);
  // The customer portal, Play and the operator console: pages over the public API.
  await registerWeb(app, {
    frameAncestors: deps.config.portalFrameAncestors,
    pages: { '/portal/': 'portal', '/play/': 'play', '/console/': 'console' },
  });
  return app;
}

export type HeraldApp = Awaited<ReturnType<typeof buildApp>>;
