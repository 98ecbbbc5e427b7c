// Herald configured as Checkfront sends webhooks: events such as `booking.create`, the payload
// as JSON, XML or application/x-www-form-urlencoded (chosen per webhook), a "Test Webhook"
// request, and up to 5 retries after which the webhook is disabled.
import { type ApiCall, ensureEventType } from '../api.ts';

export const events = ['booking.create', 'booking.update', 'item.update', 'transaction.create'];

export async function setup(
  api: ApiCall,
  options: { account: string; url: string; format: 'json' | 'xml' | 'form' },
) {
  for (const name of events) await ensureEventType(api, name, `Checkfront ${name}`);
  const app = await api<{ id: string }>('POST', '/api/v1/app?get_if_exists=true', {
    name: options.account,
    uid: options.account,
    policy: { preset: 'checkfront' },
  });
  const endpoint = await api<{ id: string }>('POST', `/api/v1/app/${app.id}/endpoint`, {
    url: options.url,
    filterTypes: events,
    policy: { format: options.format },
  });
  return { appId: app.id, endpointId: endpoint.id };
}
