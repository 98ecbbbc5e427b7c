// The delivery queue. The queue is the store: a delivery row whose next_attempt_at has come
// is a job. Workers claim due rows in batches under a lease and record what happened.
import type { DeliveryPolicy } from '../domain/delivery-policy.ts';
import type { Endpoint } from '../domain/endpoint.ts';
import type { MessageAttempt, MessageStatus, TriggerType } from '../domain/message.ts';
import { attemptRecordWriter } from './attempt-records.ts';
import type { Database } from './database.ts';
import { type EndpointRow, endpointReader } from './endpoints.ts';
import { parseJson } from './json-columns.ts';
import type { SecretBox } from './secret-box.ts';
import { loadStatements } from './sql/statements.ts';

export type ClaimedDelivery = {
  msgId: string;
  endpointId: string;
  appId: string;
  attemptCount: number;
  triggerType: TriggerType;
};

export type QueuedMessage = {
  id: string;
  eventId: string | null;
  eventType: string;
  payload: string | null;
  /** Set for a raw payload, sent as it is with this content type. */
  contentType?: string | null;
  expired: boolean;
  channels: string[] | null;
  createdAt: number;
  /** The API request that published it, for the attempts' log lines. */
  requestId?: string | null;
};

/** Deliveries a worker has no room for now: claims leave them in the queue, in their turn. */
export type ClaimSkip = {
  endpointIds?: readonly string[];
  appIds?: readonly string[];
};

const noSkip = '[]';
const skipParams = (skip: ClaimSkip | undefined) => ({
  skip_endpoints: skip?.endpointIds?.length ? JSON.stringify(skip.endpointIds) : noSkip,
  skip_apps: skip?.appIds?.length ? JSON.stringify(skip.appIds) : noSkip,
});

export type AttemptRecord = {
  delivery: ClaimedDelivery;
  attempt: MessageAttempt;
  /** The delivery's status after this attempt, and when to try next (null: never). */
  status: MessageStatus;
  nextAttemptAt: number | null;
};

export type LoadedEndpoint = {
  endpoint: Endpoint;
  /** Failing since when, or null when healthy. */
  failSince: number | null;
  appPolicy: DeliveryPolicy | null;
};

/** What the queue holds, for health and metrics. */
export type QueueStats = {
  /** Deliveries waiting for an attempt or in one (paused deliveries are not counted). */
  pending: number;
  /** Pending deliveries whose time has come. */
  due: number;
  /** When the longest-waiting due delivery fell due (null: none is due). */
  oldestDueAt: number | null;
  /** Endpoints disabled now. */
  disabledEndpoints: number;
};

export type EndpointFailureState = { failSince: number; exhaustedCount: number; disabled: boolean };

/** The delivery queue: claims under a lease, attempt records, endpoint failure state. */
export interface QueueRepository {
  /**
   * Claims up to `limit` due deliveries, oldest first, leased until `leaseEnd` (a claim whose
   * worker dies falls due again then); `skip` leaves some in the queue, in their turn.
   */
  claim(now: number, leaseEnd: number, limit: number, skip?: ClaimSkip): Promise<ClaimedDelivery[]>;
  /** What a worker needs of these messages to send them, by id (missing ones are left out). */
  loadMessages(ids: string[]): Promise<Map<string, QueuedMessage>>;
  /** The endpoints with their failure state and their application's delivery policy, by id. */
  loadEndpoints(ids: string[]): Promise<Map<string, LoadedEndpoint>>;
  /**
   * Records attempts and moves their deliveries on. Records arriving while earlier ones
   * wait for a transaction join them (one group, one ride: see riders.ts), and the group is
   * written when its transaction runs: at the next commit, or in one of its own after
   * `maxWaitMs`. Resolves once committed.
   */
  record(records: AttemptRecord[], now: number, maxWaitMs?: number): Promise<void>;
  /** Puts claimed deliveries back untried, due at `at` (null pauses them), in one transaction. */
  defer(deliveries: ClaimedDelivery[], at: number | null, now: number): Promise<void>;
  /**
   * Extends the lease of claimed deliveries to `leaseEnd` (their endpoint's timeout outlasts
   * the claim's lease), in one transaction; a delivery claimed again meanwhile is left alone.
   */
  extendLeases(deliveries: ClaimedDelivery[], leaseEnd: number): Promise<void>;
  /**
   * Releases claims left by a process that died, due now (single-process databases only:
   * elsewhere other nodes hold claims); returns how many.
   */
  releaseClaims(now: number): Promise<number>;
  /**
   * When the next delivery falls due, of those due after `after` if given (null: none is
   * scheduled).
   */
  nextDueAt(after?: number): Promise<number | null>;
  /**
   * Counts the queue (one read over the index of scheduled deliveries: it costs in
   * proportion to the deliveries waiting, not to the deliveries ever made).
   */
  stats(now: number): Promise<QueueStats>;
  /**
   * Pauses an endpoint's waiting deliveries, claimed ones too (it was disabled); returns how
   * many.
   */
  pauseEndpoint(endpointId: string, now: number): Promise<number>;
  /** Makes an endpoint's paused deliveries due now (it was enabled again); returns how many. */
  resumeEndpoint(endpointId: string, now: number): Promise<number>;
  /**
   * Takes the endpoint's next throttle slot if it has come (`granted`); either way, tells
   * when the following slot opens. The slot lives in the database, so the rate holds across
   * every worker.
   */
  takeThrottleSlot(
    endpointId: string,
    now: number,
    intervalMs: number,
  ): Promise<{ granted: boolean; nextAt: number }>;
  /** The endpoint answered 2xx: it is healthy again (its failure state is cleared). */
  markEndpointSuccess(endpointId: string): Promise<void>;
  /**
   * The endpoint failed: keeps since when it has been failing and adds `exhausted` to its
   * exhausted deliveries; returns its failure state (null: no such endpoint).
   */
  markEndpointFailure(
    endpointId: string,
    now: number,
    exhausted: number,
  ): Promise<EndpointFailureState | null>;
}

type Boarding = { records: AttemptRecord[]; now: number; written: Promise<void> };

export function queueRepository(db: Database, box: SecretBox): QueueRepository {
  const toEndpoint = endpointReader(box);
  const sql = loadStatements(db.capabilities.dialect);
  /** The records waiting for their transaction. */
  let boarding: Boarding | null = null;

  /**
   * Writes attempts and moves their deliveries on: two prepared statements per row
   * (`rowAtATime`), or one statement over JSON arrays.
   */
  const writeRecords = attemptRecordWriter(db.capabilities);

  return {
    async claim(
      now: number,
      leaseEnd: number,
      limit: number,
      skip?: ClaimSkip,
    ): Promise<ClaimedDelivery[]> {
      const rows = await db.all<{
        msg_id: string;
        endpoint_id: string;
        app_id: string;
        attempt_count: number;
        trigger_type: number;
      }>(
        sql['claim-deliveries'].text,
        sql['claim-deliveries'].bind({
          now,
          lease_end: leaseEnd,
          limit,
          ...skipParams(skip),
        }),
      );
      return rows.map((r) => ({
        msgId: r.msg_id,
        endpointId: r.endpoint_id,
        appId: r.app_id,
        attemptCount: Number(r.attempt_count),
        triggerType: Number(r.trigger_type) as TriggerType,
      }));
    },

    async loadMessages(ids: string[]): Promise<Map<string, QueuedMessage>> {
      const rows = await db.all<{
        id: string;
        event_id: string | null;
        event_type: string;
        payload: string | null;
        content_type: string | null;
        expired: number;
        channels: string | null;
        created_at: number;
        request_id: string | null;
      }>(sql['load-messages'].text, sql['load-messages'].bind({ ids: JSON.stringify(ids) }));
      return new Map(
        rows.map((r) => [
          r.id,
          {
            id: r.id,
            eventId: r.event_id,
            eventType: r.event_type,
            payload: r.payload,
            contentType: r.content_type ?? null,
            expired: Boolean(r.expired),
            channels: parseJson(r.channels, null),
            createdAt: Number(r.created_at),
            requestId: r.request_id ?? null,
          },
        ]),
      );
    },

    async loadEndpoints(ids: string[]): Promise<Map<string, LoadedEndpoint>> {
      const rows = await db.all<
        EndpointRow & { fail_since: number | null; app_policy: string | null }
      >(sql['load-endpoints'].text, sql['load-endpoints'].bind({ ids: JSON.stringify(ids) }));
      return new Map(
        rows.map((r) => [
          r.id,
          {
            endpoint: toEndpoint(r),
            failSince: r.fail_since === null ? null : Number(r.fail_since),
            appPolicy: parseJson<DeliveryPolicy | null>(r.app_policy, null),
          },
        ]),
      );
    },

    record(records: AttemptRecord[], now: number, maxWaitMs = 0): Promise<void> {
      if (records.length === 0) return Promise.resolve();
      if (!boarding) {
        const group: Boarding = { records: [], now, written: Promise.resolve() };
        boarding = group;
        const leave = () => {
          if (boarding === group) boarding = null;
        };
        // The group closes when its transaction writes it (or fails to start).
        group.written = db
          .ride(
            async (tx) => {
              leave();
              await writeRecords(tx, group.records, group.now);
            },
            maxWaitMs,
            { oneStatement: !db.capabilities.rowAtATime },
          )
          .finally(leave);
      }
      boarding.records.push(...records);
      boarding.now = now;
      return boarding.written;
    },

    async defer(deliveries: ClaimedDelivery[], at: number | null, now: number): Promise<void> {
      if (deliveries.length === 0) return;
      const defer = sql['defer-delivery'];
      await db.transaction(async (tx) => {
        for (const d of deliveries) {
          await tx.run(
            defer.text,
            defer.bind({ next_attempt_at: at, now, msg_id: d.msgId, endpoint_id: d.endpointId }),
          );
        }
      });
    },

    async extendLeases(deliveries: ClaimedDelivery[], leaseEnd: number): Promise<void> {
      if (deliveries.length === 0) return;
      const extend = sql['extend-lease'];
      await db.transaction(async (tx) => {
        for (const d of deliveries) {
          await tx.run(
            extend.text,
            extend.bind({
              lease_end: leaseEnd,
              msg_id: d.msgId,
              endpoint_id: d.endpointId,
              seen_count: d.attemptCount,
            }),
          );
        }
      });
    },

    async releaseClaims(now: number): Promise<number> {
      return (await db.run(sql['release-claims'].text, sql['release-claims'].bind({ now })))
        .changes;
    },

    async nextDueAt(after = Number.MIN_SAFE_INTEGER): Promise<number | null> {
      const row = await db.get<{ at: number | null }>(
        sql['next-due-at'].text,
        sql['next-due-at'].bind({ after }),
      );
      return row?.at === null || row?.at === undefined ? null : Number(row.at);
    },

    async stats(now: number): Promise<QueueStats> {
      const row = await db.get<{
        pending: number | string;
        due: number | string | null;
        oldest: number | string | null;
        disabled: number | string;
      }>(
        `SELECT COUNT(*) AS pending,
           COUNT(CASE WHEN next_attempt_at <= ? THEN 1 END) AS due,
           MIN(next_attempt_at) AS oldest,
           (SELECT COUNT(*) FROM endpoints WHERE disabled = 1) AS disabled
         FROM deliveries WHERE next_attempt_at IS NOT NULL`,
        [now],
      );
      const oldest = row?.oldest === null || row?.oldest === undefined ? null : Number(row.oldest);
      return {
        pending: Number(row?.pending ?? 0),
        due: Number(row?.due ?? 0),
        oldestDueAt: oldest !== null && oldest <= now ? oldest : null,
        disabledEndpoints: Number(row?.disabled ?? 0),
      };
    },

    async pauseEndpoint(endpointId: string, now: number): Promise<number> {
      const pause = sql['pause-endpoint-deliveries'];
      return (await db.run(pause.text, pause.bind({ now, endpoint_id: endpointId }))).changes;
    },

    async resumeEndpoint(endpointId: string, now: number): Promise<number> {
      const resume = sql['resume-endpoint-deliveries'];
      return (await db.run(resume.text, resume.bind({ now, endpoint_id: endpointId }))).changes;
    },

    async takeThrottleSlot(
      endpointId: string,
      now: number,
      intervalMs: number,
    ): Promise<{ granted: boolean; nextAt: number }> {
      const take = sql['take-throttle-slot'];
      // The slot is kept in whole milliseconds (PostgreSQL's BIGINT refuses 1000/3), rounded
      // up so that the rate is never exceeded.
      const row = await db.get<{ throttle_next_at: number }>(
        take.text,
        take.bind({
          now,
          interval_ms: Math.max(1, Math.ceil(intervalMs)),
          endpoint_id: endpointId,
        }),
      );
      if (row) return { granted: true, nextAt: Number(row.throttle_next_at) };
      const current = await db.get<{ throttle_next_at: number | null }>(
        'SELECT throttle_next_at FROM endpoints WHERE id = ?',
        [endpointId],
      );
      return { granted: false, nextAt: Number(current?.throttle_next_at ?? now) };
    },

    async markEndpointSuccess(endpointId: string): Promise<void> {
      const mark = sql['mark-endpoint-success'];
      await db.run(mark.text, mark.bind({ endpoint_id: endpointId }));
    },

    async markEndpointFailure(
      endpointId: string,
      now: number,
      exhausted: number,
    ): Promise<EndpointFailureState | null> {
      const mark = sql['mark-endpoint-failure'];
      const row = await db.get<{ fail_since: number; exhausted_count: number; disabled: number }>(
        mark.text,
        mark.bind({ now, exhausted, endpoint_id: endpointId }),
      );
      if (!row) return null;
      return {
        failSince: Number(row.fail_since),
        exhaustedCount: Number(row.exhausted_count),
        disabled: Boolean(row.disabled),
      };
    },
  };
}
