// Counts over deliveries and attempts, for the portal's chart, the console and the endpoint
// stats route: reads only, none of them on the delivery path.
import { MessageStatus } from '../domain/message.ts';
import type { Database, SqlValue } from './database.ts';

/** Counts of deliveries and attempts per endpoint, for charts, health and statistics. */
export interface DeliveryStatsRepository {
  /**
   * An endpoint's attempts counted per time bucket: successes and failures of the attempts
   * made in [since, until), bucket `i` covering [since + i * intervalMs, ...). Only buckets
   * with attempts come back, in order.
   */
  attemptTimeseries(
    endpointId: string,
    since: number,
    until: number,
    intervalMs: number,
  ): Promise<{ bucket: number; success: number; fail: number }[]>;
  /** Pending and in-flight deliveries per endpoint (endpoints with none are left out). */
  countWaiting(endpointIds: string[]): Promise<Map<string, number>>;
  /** Attempts made since an attempt id (ids are time-ordered), by success and failure. */
  countAttemptsSince(firstId: string): Promise<{ success: number; failure: number }>;
  /**
   * Counts of an endpoint's deliveries by status (every status present), optionally of those
   * created within [since, until).
   */
  countByStatus(
    endpointId: string,
    since?: number,
    until?: number,
  ): Promise<Record<MessageStatus, number>>;
}

export function deliveryStatsRepository(db: Database): DeliveryStatsRepository {
  return {
    async attemptTimeseries(
      endpointId: string,
      since: number,
      until: number,
      intervalMs: number,
    ): Promise<{ bucket: number; success: number; fail: number }[]> {
      const rows = await db.all<{ bucket: number; success: number; total: number }>(
        `SELECT CAST((created_at - ?) / ? AS INTEGER) AS bucket, SUM(CASE WHEN status = ? THEN 1 ELSE 0 END) AS success, COUNT(*) AS total
         FROM attempts WHERE endpoint_id = ? AND created_at >= ? AND created_at < ?
         GROUP BY bucket ORDER BY bucket`,
        [since, intervalMs, MessageStatus.success, endpointId, since, until],
      );
      return rows.map((r) => ({
        bucket: Number(r.bucket),
        success: Number(r.success),
        fail: Number(r.total) - Number(r.success),
      }));
    },

    async countWaiting(endpointIds: string[]): Promise<Map<string, number>> {
      const counts = new Map<string, number>();
      if (endpointIds.length === 0) return counts;
      const rows = await db.all<{ endpoint_id: string; n: number }>(
        `SELECT endpoint_id, COUNT(*) AS n FROM deliveries WHERE endpoint_id IN (${endpointIds
          .map(() => '?')
          .join(', ')}) AND status IN (?, ?) GROUP BY endpoint_id`,
        [...endpointIds, MessageStatus.pending, MessageStatus.sending],
      );
      for (const r of rows) counts.set(r.endpoint_id, Number(r.n));
      return counts;
    },

    async countAttemptsSince(firstId: string): Promise<{ success: number; failure: number }> {
      const rows = await db.all<{ status: number; n: number }>(
        'SELECT status, COUNT(*) AS n FROM attempts WHERE id >= ? GROUP BY status',
        [firstId],
      );
      let success = 0;
      let failure = 0;
      for (const r of rows) {
        if (Number(r.status) === MessageStatus.success) success += Number(r.n);
        else failure += Number(r.n);
      }
      return { success, failure };
    },

    async countByStatus(
      endpointId: string,
      since?: number,
      until?: number,
    ): Promise<Record<MessageStatus, number>> {
      const where = ['endpoint_id = ?'];
      const params: SqlValue[] = [endpointId];
      if (since !== undefined) {
        where.push('created_at >= ?');
        params.push(since);
      }
      if (until !== undefined) {
        where.push('created_at < ?');
        params.push(until);
      }
      const rows = await db.all<{ status: number; n: number }>(
        `SELECT status, COUNT(*) AS n FROM deliveries WHERE ${where.join(' AND ')} GROUP BY status`,
        params,
      );
      const counts: Record<number, number> = { 0: 0, 1: 0, 2: 0, 3: 0 };
      for (const r of rows) counts[Number(r.status)] = Number(r.n);
      return counts as Record<MessageStatus, number>;
    },
  };
}
