// PostgreSQL's text cannot hold a NUL character (U+0000), and SQLite's can: so that both stores
// give the same answer, a NUL in any string of a request (path, query, body: names,
// descriptions, uids, iterators, headers, ...) is a 422 pointing at it. Message payloads are
// exempt: they are stored as JSON text, where a NUL is the escape `\u0000`.
import type { FastifyInstance } from 'fastify';
import { invalid } from '../domain/errors.ts';

/** Top-level body fields that hold a message payload (Svix API and `/v1/events`). */
const payloadFields = new Set(['payload', 'data', 'previous']);

function findNul(value: unknown, loc: (string | number)[]): (string | number)[] | null {
  if (typeof value === 'string') return value.includes('\u0000') ? loc : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findNul(value[i], [...loc, i]);
      if (found) return found;
    }
    return null;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (key.includes('\u0000')) return [...loc, key];
      if (loc.length === 1 && loc[0] === 'body' && payloadFields.has(key)) continue;
      const found = findNul(item, [...loc, key]);
      if (found) return found;
    }
  }
  return null;
}

export function registerNulGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    const found =
      findNul(request.params, ['path']) ??
      findNul(request.query, ['query']) ??
      findNul(request.body, ['body']);
    if (found) throw invalid(found, 'a NUL character (U+0000) is not allowed here');
  });
}
