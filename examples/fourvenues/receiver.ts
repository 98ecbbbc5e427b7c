// A receiver written the way Fourvenues tells its consumers to write one: read the raw body,
// recompute the HMAC-SHA256 with the sign_secret, compare in constant time, then use
// `{id, event, payload}`. The sign_secret is read from wherever the consumer saved it at
// registration.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';

export type FourvenuesEvent = { id: string; event: string; payload: Record<string, unknown> };

export function fourvenuesReceiver(
  signSecret: () => string,
  onEvent: (event: FourvenuesEvent) => number,
): Server {
  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const expected = createHmac('sha256', signSecret()).update(raw).digest('hex');
      const given = String(req.headers['x-fourvenues-signature'] ?? '');
      if (
        given.length !== expected.length ||
        !timingSafeEqual(Buffer.from(given), Buffer.from(expected))
      ) {
        res.writeHead(401).end('invalid signature');
        return;
      }
      const event = JSON.parse(raw.toString('utf8')) as FourvenuesEvent;
      res.writeHead(onEvent(event)).end();
    });
  });
}
