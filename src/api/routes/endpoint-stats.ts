// GET /api/v1/app/{app_id}/endpoint/{endpoint_id}/stats/timeseries: an endpoint's attempts,
// successes and failures, counted per interval over a time window. The portal draws its
// chart from it; a script can call it the same way.
import { Type } from '@sinclair/typebox';
import { invalid } from '../../domain/errors.ts';
import { loadPathEndpoint } from '../load.ts';
import { DateTime, errorResponses, IdOrUid, iso } from '../schemas/common.ts';
import type { AppDeps, HeraldFastify } from '../types.ts';

/** The most buckets one answer holds. */
export const maxBuckets = 1000;
const hour = 3_600_000;

const TimeseriesOut = Type.Object(
  {
    since: DateTime,
    until: DateTime,
    interval: Type.Integer({ description: 'Seconds per bucket.' }),
    data: Type.Array(
      Type.Object({
        start: DateTime,
        success: Type.Integer({ description: 'Attempts that got a 2xx.' }),
        fail: Type.Integer({ description: 'Attempts that did not.' }),
      }),
    ),
  },
  { title: 'EndpointStatsTimeseriesOut' },
);

/** An interval that gives about 48 buckets over the window, rounded to a readable step. */
function defaultInterval(windowMs: number): number {
  const steps = [60, 300, 900, 1800, 3600, 10_800, 21_600, 43_200, 86_400];
  const wanted = windowMs / 1000 / 48;
  return steps.find((s) => s >= wanted) ?? 86_400;
}

export function endpointStatsRoutes(api: HeraldFastify, deps: AppDeps): void {
  api.get(
    '/app/:app_id/endpoint/:endpoint_id/stats/timeseries',
    {
      config: { auth: 'app' },
      schema: {
        tags: ['Endpoint'],
        operationId: 'v1.endpoint.get-stats-timeseries',
        summary: "Count the endpoint's successful and failed attempts per interval",
        description: `A Herald extension. Attempts made in [since, until) are counted in buckets of \`interval\` seconds from \`since\`; every bucket is listed, empty ones with zeros. Defaults: the last 24 hours, and an interval that gives about 48 buckets. At most ${maxBuckets} buckets.`,
        params: Type.Object({ app_id: IdOrUid, endpoint_id: IdOrUid }),
        querystring: Type.Object({
          since: Type.Optional(DateTime),
          until: Type.Optional(DateTime),
          interval: Type.Optional(Type.Integer({ minimum: 1, maximum: 2_592_000 })),
        }),
        response: { 200: TimeseriesOut, ...errorResponses },
      },
    },
    async (request) => {
      const { endpoint } = await loadPathEndpoint(deps.store, request);
      const until = request.query.until ? Date.parse(request.query.until) : deps.clock.now();
      const since = request.query.since ? Date.parse(request.query.since) : until - 24 * hour;
      if (since >= until) throw invalid(['query', 'since'], 'since must be before until');
      const interval = request.query.interval ?? defaultInterval(until - since);
      const intervalMs = interval * 1000;
      const count = Math.ceil((until - since) / intervalMs);
      if (count > maxBuckets) {
        throw invalid(
          ['query', 'interval'],
          `the window holds ${count} intervals; at most ${maxBuckets} (use a longer interval)`,
        );
      }
      const rows = await deps.store.deliveryStats.attemptTimeseries(
        endpoint.id,
        since,
        until,
        intervalMs,
      );
      const byBucket = new Map(rows.map((r) => [r.bucket, r]));
      const data = Array.from({ length: count }, (_, i) => ({
        start: iso(since + i * intervalMs),
        success: byBucket.get(i)?.success ?? 0,
        fail: byBucket.get(i)?.fail ?? 0,
      }));
      return { since: iso(since), until: iso(until), interval, data };
    },
  );
}
