// A receiver written the way Fast Events tells its consumers to write one: HTTPS, verify the
// base64 HMAC-SHA256 of the raw body, and always answer 200 at once, even for a bad
// signature (so pranksters learn nothing) and for the empty-body test request.
import { createHmac } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { createServer, type Server } from 'node:https';

export type FastEventsDelivery = {
  headers: IncomingHttpHeaders;
  body: string;
  signatureValid: boolean;
  order: Record<string, unknown> | null;
};

export function fastEventsReceiver(
  tls: { key: string; cert: string },
  secret: string,
  onDelivery: (delivery: FastEventsDelivery) => void,
): Server {
  return createServer(tls, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const payload = Buffer.concat(chunks).toString('utf8');
      const signature = createHmac('sha256', secret).update(payload).digest().toString('base64');
      const signatureValid = signature === req.headers['x-fe-webhook-signature'];
      res.writeHead(200).end();
      onDelivery({
        headers: req.headers,
        body: payload,
        signatureValid,
        order:
          signatureValid && payload !== ''
            ? (JSON.parse(payload) as Record<string, unknown>)
            : null,
      });
    });
  });
}
