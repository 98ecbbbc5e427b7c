// Herald configured as the Fast Events WordPress plugin sends webhooks: HTTPS endpoints
// only, `User-Agent: <product>/<version>`, X-FE-Webhook-ID/-Source/-Topic/-Resource/-Event/
// -Delivery-ID headers filled from the message and attempt, a base64 HMAC-SHA256 of the raw
// body in X-FE-Webhook-Signature, and an empty-body test request whose duration is shown.
import { type ApiCall, ensureEventType } from '../api.ts';

export const topics = ['order.created', 'order.updated', 'scan.created', 'download.created'];

export async function setup(api: ApiCall, options: { site: string; url: string; secret: string }) {
  for (const name of topics) await ensureEventType(api, name, `Fast Events ${name}`);
  const app = await api<{ id: string }>('POST', '/api/v1/app?get_if_exists=true', {
    name: options.site,
    uid: 'fast-events',
    policy: {
      preset: 'fast-events',
      source: options.site,
      userAgent: 'Fast-Events/1.6.0 (WordPress/6.1.1)',
    },
  });
  const endpoint = await api<{ id: string }>('POST', `/api/v1/app/${app.id}/endpoint`, {
    url: options.url,
    filterTypes: topics,
    secret: options.secret,
  });
  return { appId: app.id, endpointId: endpoint.id };
}
