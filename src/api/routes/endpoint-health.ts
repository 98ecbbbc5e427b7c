// /api/v1/app/{app_id}/endpoint-health: every endpoint of an application with its state and
// what waits for it, troubled ones first (a Herald extension, used by the operator console).
import { Type } from '@sinclair/typebox';
import { maskCredentials } from '../../domain/url-credentials.ts';
import { loadApp } from '../load.ts';
import { errorResponses, IdOrUid, isoOrNull, Nullable } from '../schemas/common.ts';
import type { AppDeps, HeraldFastify } from '../types.ts';

const EndpointHealthOut = Type.Object(
  {
    id: Type.String(),
    uid: Nullable(Type.String()),
    url: Type.String(),
    description: Type.String(),
    disabled: Type.Boolean(),
    failingSince: Nullable(
      Type.String({
        format: 'date-time',
        description: 'Since when its deliveries have failed with no success in between.',
      }),
    ),
    pending: Type.Integer({ description: 'Deliveries waiting for it: pending or in flight.' }),
  },
  { title: 'EndpointHealthOut' },
);

export function endpointHealthRoutes(api: HeraldFastify, deps: AppDeps): void {
  api.get(
    '/app/:app_id/endpoint-health',
    {
      config: { auth: 'app' },
      schema: {
        tags: ['Endpoint'],
        operationId: 'v1.endpoint.health',
        summary: "An application's endpoints with their state and pending deliveries",
        description:
          'Disabled endpoints come first, then failing ones (longest failing first), then the rest by id. `pending` counts every delivery waiting for the application.',
        params: Type.Object({ app_id: IdOrUid }),
        response: {
          200: Type.Object(
            { data: Type.Array(EndpointHealthOut), pending: Type.Integer() },
            { title: 'EndpointHealthList' },
          ),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const application = await loadApp(deps.store, request, request.params.app_id);
      const endpoints = await deps.store.endpoints.listWithHealth(application.id);
      const waiting = await deps.store.deliveryStats.countWaiting(
        endpoints.map((e) => e.endpoint.id),
      );
      const rank = (e: (typeof endpoints)[number]) =>
        e.endpoint.disabled ? 0 : e.failSince !== null ? 1 : 2;
      endpoints.sort(
        (a, b) =>
          rank(a) - rank(b) ||
          (a.failSince ?? 0) - (b.failSince ?? 0) ||
          (a.endpoint.id < b.endpoint.id ? -1 : 1),
      );
      const data = endpoints.map(({ endpoint, failSince }) => ({
        id: endpoint.id,
        uid: endpoint.uid,
        url: maskCredentials(endpoint.url),
        description: endpoint.description,
        disabled: endpoint.disabled,
        failingSince: isoOrNull(failSince),
        pending: waiting.get(endpoint.id) ?? 0,
      }));
      return { data, pending: data.reduce((sum, e) => sum + e.pending, 0) };
    },
  );
}
