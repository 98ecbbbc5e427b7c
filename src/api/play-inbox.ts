// `/play/in/{id}`: the address of a Play inbox. It takes any method, any content type and the
// raw body (its own body parser, scoped to this plugin: /api/v1 keeps parsing JSON), records
// the request, and answers 204 at once. The inbox id is the capability; no token is needed.
import type { FastifyInstance } from 'fastify';
import type { Play } from '../services/play.ts';

export async function registerPlayInbox(app: FastifyInstance, play: Play): Promise<void> {
  await app.register(async (inbox) => {
    inbox.removeAllContentTypeParsers();
    inbox.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) =>
      done(null, body),
    );
    inbox.route({
      method: ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT'],
      url: '/play/in/:inbox_id',
      config: { auth: 'public' },
      schema: { hide: true },
      exposeHeadRoute: false,
      handler: async (request, reply) => {
        const raw = request.raw.rawHeaders;
        const headers: [string, string][] = [];
        for (let i = 0; i + 1 < raw.length; i += 2) {
          headers.push([(raw[i] as string).toLowerCase(), raw[i + 1] as string]);
        }
        const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        await play.receive((request.params as { inbox_id: string }).inbox_id, {
          method: request.method,
          path: request.url,
          headers,
          body,
        });
        return reply.code(204).send();
      },
    });
  });
}
