// A receiver written the way Travtus tells its consumers to write one: verify the raw body
// with the Svix library and the endpoint secret (read from where the consumer keeps it),
// answer 2xx within 15 seconds.
import { createServer, type Server } from 'node:http';
import { Webhook } from 'svix';

export function travtusReceiver(
  secret: () => string,
  onEvent: (event: Record<string, unknown>) => number,
): Server {
  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        const payload = Buffer.concat(chunks).toString('utf8');
        new Webhook(secret()).verify(payload, {
          'svix-id': String(req.headers['svix-id']),
          'svix-timestamp': String(req.headers['svix-timestamp']),
          'svix-signature': String(req.headers['svix-signature']),
        });
        const event = JSON.parse(payload) as Record<string, unknown>;
        res.writeHead(onEvent(event)).end();
      } catch {
        res.writeHead(400).end('bad signature');
      }
    });
  });
}
