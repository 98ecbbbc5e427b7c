// Routes whose body schema is `Type.Optional(...)` (app-portal access, expire-all, secret
// rotation) take a request without a body, or with an empty JSON one, as if `{}` was sent,
// as Svix does. Everywhere else a missing body stays a 422 and an empty JSON one a 400.
// The same JSON parser refuses bodies nested too deeply (json-depth.ts).
import { KindGuard, type TSchema } from '@sinclair/typebox';
import type { FastifyInstance, FastifySchema, preValidationAsyncHookHandler } from 'fastify';
import { HeraldError } from '../domain/errors.ts';
import { jsonTooDeep, maxJsonDepth } from './json-depth.ts';

const tooDeep = new HeraldError(
  'json_too_deep',
  `the request body nests objects and arrays more than ${maxJsonDepth} levels deep`,
);

const hasOptionalBody = (schema: FastifySchema | undefined): boolean =>
  KindGuard.IsOptional(schema?.body as TSchema);

const emptyBodyAsObject: preValidationAsyncHookHandler = async (request) => {
  if (request.body === undefined) request.body = {};
};

export function registerOptionalBodies(app: FastifyInstance): void {
  // No content type and no body: Fastify parses nothing and the body stays undefined.
  app.addHook('onRoute', (route) => {
    if (!hasOptionalBody(route.schema)) return;
    const hooks = route.preValidation;
    route.preValidation = [
      ...(Array.isArray(hooks) ? hooks : hooks ? [hooks] : []),
      emptyBodyAsObject,
    ];
  });

  // `content-type: application/json` and no body: the default parser's answer is an error.
  const parseJson = app.getDefaultJsonParser(
    app.initialConfig.onProtoPoisoning ?? 'error',
    app.initialConfig.onConstructorPoisoning ?? 'error',
  );
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'string' },
    (request, body: string, done) => {
      if (body.length === 0 && hasOptionalBody(request.routeOptions.schema)) done(null, {});
      else if (jsonTooDeep(body)) done(tooDeep, undefined);
      else parseJson(request, body, done);
    },
  );
}
