// Backpressure on request bodies: the bytes held by requests in progress are bounded, so no
// burst of valid traffic (say 200 concurrent 1 MiB publishes) can exhaust the heap. A request
// that would pass the bound is refused before its body is read, with a 503 and Retry-After;
// the Svix SDKs and any well-behaved client retry it.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HeraldError } from '../domain/errors.ts';

export type RequestBudget = {
  /** Bytes reserved by requests in progress. */
  inUse(): number;
};

/**
 * `limitBytes` bounds the declared body sizes of requests in progress; a body of unknown
 * length (chunked) reserves the largest body a route accepts (`bodyLimit`). A request whose
 * body is larger than the whole budget still runs when nothing else holds any of it.
 */
export function registerRequestBudget(
  app: FastifyInstance,
  options: { limitBytes: number; bodyLimit: number; retryAfterSeconds?: number },
): RequestBudget {
  let used = 0;
  const retryAfter = String(options.retryAfterSeconds ?? 1);
  app.addHook('onRequest', async (request: FastifyRequest, reply) => {
    const length = request.headers['content-length'];
    const chunked = request.headers['transfer-encoding'] !== undefined;
    const bytes = chunked ? options.bodyLimit : Number(length ?? 0);
    // Bodies this small cost less than the request itself; no reservation.
    if (!(bytes > 16_384)) return;
    const reserved = Math.min(bytes, options.bodyLimit);
    if (used > 0 && used + reserved > options.limitBytes) {
      reply.header('retry-after', retryAfter);
      throw new HeraldError(
        'overloaded',
        'too many large requests are in progress; retry after the time in Retry-After',
      );
    }
    used += reserved;
    let released = false;
    // 'close' comes once the answer is sent or the connection is gone, whichever is first.
    reply.raw.once('close', () => {
      if (released) return;
      released = true;
      used -= reserved;
    });
  });
  return { inUse: () => used };
}
