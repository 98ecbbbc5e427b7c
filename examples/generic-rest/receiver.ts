// A receiver written the way the generic REST API's documentation says: raw body, hex
// HMAC-SHA256 with the shared secret, constant-time compare, 401 on mismatch, de-duplicate
// by event id.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';

export type ResourceEvent = {
  id: string;
  type: string;
  created_at: string;
  data: { object: Record<string, unknown> };
  previous_data: Record<string, unknown> | null;
};

export function genericReceiver(
  secret: string,
  onEvent: (event: ResourceEvent, duplicate: boolean) => number,
): Server {
  const seen = new Set<string>();
  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const payload = Buffer.concat(chunks).toString('utf8');
      const signature = String(req.headers['x-webhook-signature'] ?? '');
      const expected = createHmac('sha256', secret).update(payload).digest('hex');
      if (
        signature.length !== expected.length ||
        !timingSafeEqual(Buffer.from(signature), Buffer.from(expected))
      ) {
        res
          .writeHead(401, { 'content-type': 'application/json' })
          .end('{"error":"Invalid signature"}');
        return;
      }
      const event = JSON.parse(payload) as ResourceEvent;
      const duplicate = seen.has(event.id);
      seen.add(event.id);
      res
        .writeHead(onEvent(event, duplicate), { 'content-type': 'application/json' })
        .end('{"status":"received"}');
    });
  });
}
