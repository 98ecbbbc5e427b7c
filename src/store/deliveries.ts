// Deliveries (message × endpoint) and their attempts, as the API lists them.
import { type Endpoint, endpointMatches } from '../domain/endpoint.ts';
import {
  type Delivery,
  type Message,
  type MessageAttempt,
  type MessageStatus,
  MessageStatus as Status,
  TriggerType,
} from '../domain/message.ts';
import type { Database, SqlValue } from './database.ts';
import { type EndpointRow, endpointReader } from './endpoints.ts';
import { type MessageFilter, type MessageRow, messageConditions, toMessage } from './messages.ts';
import { type Page, type PageQuery, paginate } from './pagination.ts';
import type { SecretBox } from './secret-box.ts';

type DeliveryRow = {
  msg_id: string;
  endpoint_id: string;
  app_id: string;
  status: number;
  attempt_count: number;
  next_attempt_at: number | null;
  trigger_type: number;
  created_at: number;
  updated_at: number;
};

type AttemptRow = {
  id: string;
  msg_id: string;
  endpoint_id: string;
  app_id: string;
  url: string;
  status: number;
  response_status_code: number;
  response: string | null;
  response_duration_ms: number;
  trigger_type: number;
  created_at: number;
  request_headers: string | null;
  private_destination: number;
};

export type QueuedDelivery = Delivery & { eventType: string };

export type AttemptFilter = MessageFilter & {
  status?: MessageStatus;
  statusCodeClass?: number;
  endpointId?: string;
};

/** Which attempts the feed answers: after an attempt id or from a time, and within a scope. */
export type AttemptFeedFilter = {
  after?: string;
  since?: number;
  appId?: string;
  endpointId?: string;
  status?: MessageStatus;
};

/** Deliveries whose message matches a filter, optionally in one status. */
export type DeliveryFilter = MessageFilter & { status?: MessageStatus };

/** Deliveries and attempts as the API reads them; resends, recovery and purges. */
export interface DeliveryRepository {
  /** Lists an endpoint's attempts matching `filter`, by id (the order they were made). */
  listAttemptsByEndpoint(
    endpointId: string,
    filter: AttemptFilter,
    page: PageQuery,
  ): Promise<Page<MessageAttempt>>;
  /** Lists a message's attempts matching `filter`, by id (the order they were made). */
  listAttemptsByMessage(
    msgId: string,
    filter: AttemptFilter,
    page: PageQuery,
  ): Promise<Page<MessageAttempt>>;
  /**
   * Attempts across every application in the order they were made (ids are time-ordered):
   * those after the attempt id `after`, or made at or after `since`, for `herald tail`.
   */
  listAttemptFeed(filter: AttemptFeedFilter, limit: number): Promise<MessageAttempt[]>;
  /** One attempt of a message (null: none). */
  findAttempt(msgId: string, attemptId: string): Promise<MessageAttempt | null>;
  /**
   * What is waiting to be sent, soonest first: pending and sending deliveries with their
   * next attempt time (null while their endpoint is disabled). `offset` pages through.
   */
  listQueued(
    filter: { appId?: string; endpointId?: string },
    limit: number,
    offset: number,
  ): Promise<QueuedDelivery[]>;
  /**
   * Deletes successful deliveries last changed before `before` (their attempts stay); returns
   * how many.
   */
  purgeCompleted(before: number): Promise<number>;
  /** Purges the response bodies of attempts made before `before`; returns how many. */
  purgeResponses(before: number): Promise<number>;
  /** Removes one attempt's response body (the caller has found it within its message). */
  expungeAttemptContent(attemptId: string): Promise<void>;
  /** The messages sent (or to be sent) to one endpoint, each with its delivery. */
  listByEndpoint(
    endpointId: string,
    filter: DeliveryFilter,
    page: PageQuery,
  ): Promise<Page<{ message: Message; delivery: Delivery }>>;
  /** The endpoints one message goes to, each with its delivery. */
  listByMessage(
    msgId: string,
    page: PageQuery,
  ): Promise<Page<{ endpoint: Endpoint; delivery: Delivery }>>;
  /** The delivery of a message to an endpoint (null: none). */
  find(msgId: string, endpointId: string): Promise<Delivery | null>;
  /**
   * Queues one more try of a message to an endpoint, by hand (manual trigger), due now; a
   * delivery already there is queued again.
   */
  queueManual(msgId: string, endpointId: string, appId: string, now: number): Promise<void>;
  /**
   * Queues again every failed delivery of an endpoint created in [since, until); returns how
   * many.
   */
  requeueFailed(endpointId: string, since: number, until: number, now: number): Promise<number>;
  /**
   * Queues, as manual deliveries, the messages of an application created in [since, until)
   * that never went to this endpoint and that it would receive now; returns how many.
   */
  replayMissing(endpoint: Endpoint, since: number, until: number, now: number): Promise<number>;
  /**
   * Queues again, as manual deliveries, an endpoint's deliveries matching a filter (not those
   * in flight, nor those whose payload is gone); returns how many.
   */
  replay(endpointId: string, filter: DeliveryFilter, now: number): Promise<number>;
}

const toDelivery = (r: DeliveryRow): Delivery => ({
  msgId: r.msg_id,
  endpointId: r.endpoint_id,
  appId: r.app_id,
  status: Number(r.status) as MessageStatus,
  attemptCount: Number(r.attempt_count),
  nextAttemptAt: r.next_attempt_at === null ? null : Number(r.next_attempt_at),
  triggerType: Number(r.trigger_type) as TriggerType,
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
});

const toAttempt = (r: AttemptRow): MessageAttempt => ({
  id: r.id,
  msgId: r.msg_id,
  endpointId: r.endpoint_id,
  appId: r.app_id,
  url: r.url,
  status: Number(r.status) as MessageStatus,
  responseStatusCode: Number(r.response_status_code),
  response: r.response,
  responseDurationMs: Number(r.response_duration_ms),
  triggerType: Number(r.trigger_type) as TriggerType,
  createdAt: Number(r.created_at),
  requestHeaders:
    r.request_headers === null ? null : (JSON.parse(r.request_headers) as Record<string, string>),
  privateDestination: Number(r.private_destination) === 1,
});

/** The delivery's columns, renamed `d_*` so they can sit beside a message's or an endpoint's. */
const deliveryColumns = [
  'msg_id',
  'endpoint_id',
  'app_id',
  'status',
  'attempt_count',
  'next_attempt_at',
  'trigger_type',
  'created_at',
  'updated_at',
]
  .map((c) => `d.${c} AS d_${c}`)
  .join(', ');

function attemptConditions(filter: AttemptFilter, where: string[], params: SqlValue[]) {
  messageConditions(filter, where, params);
  if (filter.status !== undefined) {
    where.push('a.status = ?');
    params.push(filter.status);
  }
  if (filter.statusCodeClass !== undefined) {
    if (filter.statusCodeClass === 0) {
      where.push('(a.response_status_code < 100 OR a.response_status_code >= 600)');
    } else {
      where.push('a.response_status_code >= ? AND a.response_status_code < ?');
      params.push(filter.statusCodeClass, filter.statusCodeClass + 100);
    }
  }
  if (filter.endpointId !== undefined) {
    where.push('a.endpoint_id = ?');
    params.push(filter.endpointId);
  }
}

export function deliveryRepository(db: Database, box: SecretBox): DeliveryRepository {
  const toEndpoint = endpointReader(box);
  return {
    listAttemptsByEndpoint(endpointId: string, filter: AttemptFilter, page: PageQuery) {
      const where = ['a.endpoint_id = ?'];
      const params: SqlValue[] = [endpointId];
      attemptConditions(filter, where, params);
      return paginate(db, {
        from: 'SELECT a.* FROM attempts a JOIN messages m ON m.id = a.msg_id',
        where,
        params,
        key: 'a.id',
        page,
        map: toAttempt,
        keyOf: (a) => a.id,
      });
    },

    listAttemptsByMessage(msgId: string, filter: AttemptFilter, page: PageQuery) {
      const where = ['a.msg_id = ?'];
      const params: SqlValue[] = [msgId];
      attemptConditions(filter, where, params);
      return paginate(db, {
        from: 'SELECT a.* FROM attempts a JOIN messages m ON m.id = a.msg_id',
        where,
        params,
        key: 'a.id',
        page,
        map: toAttempt,
        keyOf: (a) => a.id,
      });
    },

    async listAttemptFeed(filter: AttemptFeedFilter, limit: number): Promise<MessageAttempt[]> {
      const where: string[] = [];
      const params: SqlValue[] = [];
      const add = (condition: string, value: SqlValue) => {
        where.push(condition);
        params.push(value);
      };
      if (filter.after !== undefined) add('id > ?', filter.after);
      if (filter.since !== undefined) add('created_at >= ?', filter.since);
      if (filter.appId !== undefined) add('app_id = ?', filter.appId);
      if (filter.endpointId !== undefined) add('endpoint_id = ?', filter.endpointId);
      if (filter.status !== undefined) add('status = ?', filter.status);
      const rows = await db.all<AttemptRow>(
        `SELECT * FROM attempts${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY id LIMIT ?`,
        [...params, limit],
      );
      return rows.map(toAttempt);
    },

    async findAttempt(msgId: string, attemptId: string): Promise<MessageAttempt | null> {
      const row = await db.get<AttemptRow>('SELECT * FROM attempts WHERE msg_id = ? AND id = ?', [
        msgId,
        attemptId,
      ]);
      return row ? toAttempt(row) : null;
    },

    async listQueued(
      filter: { appId?: string; endpointId?: string },
      limit: number,
      offset: number,
    ): Promise<QueuedDelivery[]> {
      const where = ['d.status IN (?, ?)'];
      const params: SqlValue[] = [Status.pending, Status.sending];
      if (filter.appId) {
        where.push('d.app_id = ?');
        params.push(filter.appId);
      }
      if (filter.endpointId) {
        where.push('d.endpoint_id = ?');
        params.push(filter.endpointId);
      }
      const rows = await db.all<DeliveryRow & { event_type: string }>(
        `SELECT d.*, m.event_type FROM deliveries d JOIN messages m ON m.id = d.msg_id WHERE ${where.join(' AND ')}
         ORDER BY d.next_attempt_at IS NULL, d.next_attempt_at, d.msg_id, d.endpoint_id LIMIT ? OFFSET ?`,
        [...params, limit, offset],
      );
      return rows.map((r) => ({ ...toDelivery(r), eventType: r.event_type }));
    },

    async purgeCompleted(before: number): Promise<number> {
      const result = await db.run('DELETE FROM deliveries WHERE status = ? AND updated_at < ?', [
        Status.success,
        before,
      ]);
      return result.changes;
    },

    async purgeResponses(before: number): Promise<number> {
      const result = await db.run(
        'UPDATE attempts SET response = NULL WHERE created_at < ? AND response IS NOT NULL',
        [before],
      );
      return result.changes;
    },

    async expungeAttemptContent(attemptId: string): Promise<void> {
      await db.run('UPDATE attempts SET response = NULL WHERE id = ?', [attemptId]);
    },

    listByEndpoint(
      endpointId: string,
      filter: DeliveryFilter,
      page: PageQuery,
    ): Promise<Page<{ message: Message; delivery: Delivery }>> {
      const where = ['d.endpoint_id = ?'];
      const params: SqlValue[] = [endpointId];
      messageConditions(filter, where, params);
      if (filter.status !== undefined) {
        where.push('d.status = ?');
        params.push(filter.status);
      }
      return paginate(db, {
        from: `SELECT m.*, ${deliveryColumns} FROM deliveries d JOIN messages m ON m.id = d.msg_id`,
        where,
        params,
        key: 'd.msg_id',
        page,
        map: (row: MessageRow & Record<string, unknown>) => ({
          message: toMessage(row),
          delivery: toDelivery(unprefix(row)),
        }),
        keyOf: (x) => x.message.id,
      });
    },

    listByMessage(
      msgId: string,
      page: PageQuery,
    ): Promise<Page<{ endpoint: Endpoint; delivery: Delivery }>> {
      return paginate(db, {
        from: `SELECT e.*, ${deliveryColumns} FROM deliveries d JOIN endpoints e ON e.id = d.endpoint_id`,
        where: ['d.msg_id = ?'],
        params: [msgId],
        key: 'd.endpoint_id',
        page,
        map: (row: EndpointRow & Record<string, unknown>) => ({
          endpoint: toEndpoint(row),
          delivery: toDelivery(unprefix(row)),
        }),
        keyOf: (x) => x.endpoint.id,
      });
    },

    async find(msgId: string, endpointId: string): Promise<Delivery | null> {
      const row = await db.get<DeliveryRow>(
        'SELECT * FROM deliveries WHERE msg_id = ? AND endpoint_id = ?',
        [msgId, endpointId],
      );
      return row ? toDelivery(row) : null;
    },

    async queueManual(
      msgId: string,
      endpointId: string,
      appId: string,
      now: number,
    ): Promise<void> {
      await db.run(
        `INSERT INTO deliveries (msg_id, endpoint_id, app_id, status, attempt_count, next_attempt_at, trigger_type, created_at, updated_at)
         VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?)
         ON CONFLICT (msg_id, endpoint_id) DO UPDATE SET status = excluded.status, next_attempt_at = excluded.next_attempt_at,
           trigger_type = excluded.trigger_type, updated_at = excluded.updated_at`,
        [msgId, endpointId, appId, Status.pending, now, TriggerType.manual, now, now],
      );
    },

    async requeueFailed(
      endpointId: string,
      since: number,
      until: number,
      now: number,
    ): Promise<number> {
      const result = await db.run(
        'UPDATE deliveries SET status = ?, next_attempt_at = ?, trigger_type = ?, updated_at = ? WHERE endpoint_id = ? AND status = ? AND created_at >= ? AND created_at < ?',
        [Status.pending, now, 1, now, endpointId, Status.fail, since, until],
      );
      return result.changes;
    },

    async replayMissing(
      endpoint: Endpoint,
      since: number,
      until: number,
      now: number,
    ): Promise<number> {
      const rows = await db.all<MessageRow>(
        'SELECT m.* FROM messages m WHERE m.app_id = ? AND m.created_at >= ? AND m.created_at < ? AND m.payload IS NOT NULL AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.msg_id = m.id AND d.endpoint_id = ?)',
        [endpoint.appId, since, until, endpoint.id],
      );
      const wanted = rows
        .map(toMessage)
        .filter((m) => endpointMatches({ ...endpoint, disabled: false }, m));
      await db.transaction(async (tx) => {
        for (const m of wanted) {
          await tx.run(
            'INSERT INTO deliveries (msg_id, endpoint_id, app_id, status, attempt_count, next_attempt_at, trigger_type, created_at, updated_at) VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?) ON CONFLICT (msg_id, endpoint_id) DO NOTHING',
            [m.id, endpoint.id, endpoint.appId, Status.pending, now, TriggerType.manual, now, now],
          );
        }
      });
      return wanted.length;
    },

    async replay(endpointId: string, filter: DeliveryFilter, now: number): Promise<number> {
      const where = ['d.endpoint_id = ?', 'm.payload IS NOT NULL', 'd.status <> ?'];
      const params: SqlValue[] = [endpointId, Status.sending];
      messageConditions(filter, where, params);
      if (filter.status !== undefined) {
        where.push('d.status = ?');
        params.push(filter.status);
      }
      const result = await db.run(
        `UPDATE deliveries SET status = ?, next_attempt_at = ?, trigger_type = ?, updated_at = ? WHERE endpoint_id = ? AND msg_id IN (SELECT d.msg_id FROM deliveries d JOIN messages m ON m.id = d.msg_id WHERE ${where.join(' AND ')})`,
        [Status.pending, now, TriggerType.manual, now, endpointId, ...params],
      );
      return result.changes;
    },
  };
}

function unprefix(row: Record<string, unknown>): DeliveryRow {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) if (k.startsWith('d_')) out[k.slice(2)] = v;
  return out as DeliveryRow;
}
