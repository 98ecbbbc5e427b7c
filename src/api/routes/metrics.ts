// GET /metrics: Herald's metrics in the Prometheus text format, outside the versioned API.
// Access: with HERALD_METRICS_TOKEN set, every caller gives it (or the operator token) as a
// bearer token; without it, loopback callers need none and others need the operator token.
// Every answered request is also counted here, by route pattern and status.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { HeraldError } from '../../domain/errors.ts';
import type { Authenticator } from '../../services/auth.ts';
import type { Metrics } from '../../services/metrics.ts';
import { bearerToken } from '../auth-hook.ts';
import type { HeraldFastify } from '../types.ts';

export function metricsRoutes(
  app: HeraldFastify,
  deps: { metrics: Metrics; metricsToken?: string | undefined; authenticator: Authenticator },
): void {
  const { metrics } = deps;
  const metricsTokenHash = deps.metricsToken ? digest(deps.metricsToken) : null;

  app.addHook('onResponse', async (request, reply) => {
    metrics.apiRequest(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode);
  });

  async function allowed(request: FastifyRequest): Promise<boolean> {
    const token = bearerToken(request);
    if (token === null)
      return metricsTokenHash === null && isLoopback(request.socket.remoteAddress);
    if (metricsTokenHash && timingSafeEqual(digest(token), metricsTokenHash)) return true;
    return (await deps.authenticator.authenticate(token))?.kind === 'admin';
  }

  app.get(
    '/metrics',
    { config: { auth: 'public' }, schema: { hide: true } },
    async (request, reply) => {
      if (!(await allowed(request))) {
        throw new HeraldError(
          'authentication_failed',
          metricsTokenHash
            ? 'metrics need the metrics token (or the operator token) as a bearer token'
            : 'metrics are open to loopback callers; others need the operator token, or set HERALD_METRICS_TOKEN',
        );
      }
      const text = await metrics.render();
      return reply.header('cache-control', 'no-store').type(metrics.contentType).send(text);
    },
  );
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  return address === '::1' || /^(::ffff:)?127\./.test(address);
}
