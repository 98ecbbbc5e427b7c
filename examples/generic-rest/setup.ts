// Herald as a product's own `/v1/webhooks` API: customers register with a bearer token and a
// secret of their choosing, the product publishes `{type, data: {object}}` events, and
// receivers get `{id, type, created_at, data: {object}, previous_data}` signed with a hex
// HMAC-SHA256 of the raw body in `X-Webhook-Signature` (5 s timeout; retries immediately,
// 1 m, 5 m, 30 m, 2 h; then the webhook is disabled).
import { type ApiCall, ensureEventType } from '../api.ts';

export const catalogue = {
  'resource.created': 'New resource created',
  'resource.updated': 'Resource updated',
  'resource.deleted': 'Resource deleted',
  'user.created': 'New user registered',
  'user.updated': 'User profile updated',
  'payment.succeeded': 'Payment completed',
  'payment.failed': 'Payment failed',
};

export async function setup(
  api: ApiCall,
  options: { url: string; secret: string; events: string[] },
) {
  for (const [name, description] of Object.entries(catalogue))
    await ensureEventType(api, name, description);
  return api<{ id: string; secret: string }>('POST', '/v1/webhooks', {
    url: options.url,
    events: options.events,
    secret: options.secret,
  });
}
