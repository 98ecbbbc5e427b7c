// Idempotency-Key replay for POSTs: the first request with a key (per token and URL) runs,
// its 2xx response is kept, and repeats get that response again; a repeat that arrives while
// the first is still running waits for it. A repeat whose body differs from the first's is
// refused with a 409 `idempotency_conflict` rather than answered for a request it did not make.
// The key is claimed once the body is parsed (preHandler), so its hash can be kept with it.
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Clock } from '../domain/clock.ts';
import { HeraldError } from '../domain/errors.ts';
import type { Store } from '../store/store.ts';

declare module 'fastify' {
  interface FastifyRequest {
    idempotencyKeyHash: string | null;
  }
}

const maxWaitMs = 30_000;
const pollMs = 20;

export function registerIdempotency(
  app: FastifyInstance,
  deps: { store: Store; clock: Clock; ttlSeconds: number },
): void {
  app.decorateRequest('idempotencyKeyHash', null);

  app.addHook('preHandler', async (request, reply) => {
    if (request.method !== 'POST' || !request.principal) return;
    const key = request.headers['idempotency-key'];
    if (typeof key !== 'string' || key === '') return;
    const hash = keyHash(request, key);
    const bodyHash = createHash('sha256')
      .update(JSON.stringify(request.body) ?? '')
      .digest('hex');
    const started = deps.clock.now();
    for (let waited = 0; ; waited += pollMs) {
      const now = deps.clock.now();
      const entry = await deps.store.idempotency.claim(
        hash,
        now,
        now + deps.ttlSeconds * 1000,
        bodyHash,
      );
      if (entry.state !== 'claimed' && entry.requestHash && entry.requestHash !== bodyHash) {
        throw new HeraldError(
          'idempotency_conflict',
          'this idempotency key was used with a different request body; use a new key',
        );
      }
      if (entry.state === 'claimed') {
        request.idempotencyKeyHash = hash;
        return;
      }
      if (entry.state === 'done') {
        reply.header('idempotent-replayed', 'true').code(entry.statusCode);
        if (entry.body === '') return reply.send();
        return reply
          .type('application/json')
          .serializer((s: unknown) => s as string)
          .send(entry.body);
      }
      if (waited >= maxWaitMs || deps.clock.now() - started > maxWaitMs) {
        throw new HeraldError(
          'conflict',
          'a request with this idempotency key is still in progress',
        );
      }
      await sleep(pollMs);
    }
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const hash = request.idempotencyKeyHash;
    if (!hash) return payload;
    request.idempotencyKeyHash = null;
    if (reply.statusCode >= 200 && reply.statusCode < 300) {
      await deps.store.idempotency.complete(
        hash,
        reply.statusCode,
        typeof payload === 'string' ? payload : '',
      );
    } else {
      await deps.store.idempotency.release(hash);
    }
    return payload;
  });

  // A request that ended without a response (client gone, crash in a hook) frees its key.
  app.addHook('onResponse', async (request) => {
    if (request.idempotencyKeyHash)
      await deps.store.idempotency.release(request.idempotencyKeyHash);
  });
}

function keyHash(request: FastifyRequest, key: string): string {
  return createHash('sha256')
    .update(request.headers.authorization ?? '')
    .update('\n')
    .update(key)
    .update('\n')
    .update(request.url)
    .digest('hex');
}
