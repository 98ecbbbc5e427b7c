// Herald configured as Fourvenues sends webhooks: body `{id, event, payload}`, the endpoint's
// `sign_secret` returned at registration, an HMAC-SHA256 (hex) of the raw body in
// `X-Fourvenues-Signature`, and up to 40 retries with growing backoff, after which the event
// is marked failed (the endpoint stays enabled).
import { type ApiCall, ensureEventType } from '../api.ts';

export const events = ['payment.success', 'ticket.request_refund'];

export async function setup(api: ApiCall, options: { customer: string; url: string }) {
  for (const name of events) await ensureEventType(api, name, `Fourvenues ${name}`);
  const app = await api<{ id: string }>('POST', '/api/v1/app?get_if_exists=true', {
    name: options.customer,
    uid: options.customer,
    policy: { preset: 'fourvenues' },
  });
  const endpoint = await api<{ id: string }>('POST', `/api/v1/app/${app.id}/endpoint`, {
    url: options.url,
    filterTypes: events,
  });
  // Registration answers with the sign_secret the receiver verifies with.
  const { key } = await api<{ key: string }>(
    'GET',
    `/api/v1/app/${app.id}/endpoint/${endpoint.id}/secret`,
  );
  return { appId: app.id, endpointId: endpoint.id, signSecret: key };
}
