// Herald configured as Travtus (which runs on Svix) sends webhooks: `svix-*` Standard
// Webhooks signatures, the Svix retry schedule (immediately, 5 s, 5 m, 30 m, 2 h, 5 h, 10 h,
// 10 h), endpoints disabled after 5 days of failure with an `endpoint.disabled` operational
// event, example events for the testing tab, resend and recover.
import { type ApiCall, ensureEventType } from '../api.ts';

export async function setup(
  api: ApiCall,
  options: { customer: string; url: string; operationsUrl?: string },
) {
  await api('PUT', '/api/v1/event-type/work_order.created', {
    description: 'A work order was created',
    schemas: { '1': { type: 'object', examples: [{ workOrderId: 'wo_123', priority: 'high' }] } },
  });
  await ensureEventType(api, 'resident.moved_in', 'A resident moved in');
  const app = await api<{ id: string }>('POST', '/api/v1/app?get_if_exists=true', {
    name: options.customer,
    uid: options.customer,
    policy: { preset: 'svix' },
  });
  // No event types: the endpoint receives every event.
  const endpoint = await api<{ id: string }>('POST', `/api/v1/app/${app.id}/endpoint`, {
    url: options.url,
  });
  if (options.operationsUrl) {
    await api('POST', '/api/v1/operational-webhook/endpoint', {
      url: options.operationsUrl,
      filterTypes: ['endpoint.disabled'],
    });
  }
  const { key } = await api<{ key: string }>(
    'GET',
    `/api/v1/app/${app.id}/endpoint/${endpoint.id}/secret`,
  );
  return { appId: app.id, endpointId: endpoint.id, secret: key };
}
