// Messages in the store. Publishing writes the message and one pending delivery per matching
// endpoint in one transaction: once acknowledged, nothing is lost.
import { type Endpoint, endpointMatches } from '../domain/endpoint.ts';
import { conflict } from '../domain/errors.ts';
import { type Message, MessageStatus, TriggerType } from '../domain/message.ts';
import type { Database, SqlExecutor, SqlValue } from './database.ts';
import type { EndpointRepository } from './endpoints.ts';
import { createGroupCommit } from './group-commit.ts';
import { parseJson, toJson } from './json-columns.ts';
import { type Page, type PageQuery, paginate } from './pagination.ts';

export type MessageRow = {
  id: string;
  app_id: string;
  event_id: string | null;
  event_type: string;
  payload: string | null;
  expired?: number;
  channels: string | null;
  tags: string | null;
  created_at: number;
  deliver_at: number | null;
};

export const toMessage = (r: MessageRow): Message => ({
  id: r.id,
  appId: r.app_id,
  eventId: r.event_id,
  eventType: r.event_type,
  payload: r.payload,
  expired: Boolean(r.expired),
  channels: parseJson(r.channels, null),
  tags: parseJson(r.tags, null),
  createdAt: Number(r.created_at),
  deliverAt: r.deliver_at === null ? null : Number(r.deliver_at),
});

export type MessageFilter = {
  before?: number;
  after?: number;
  eventTypes?: string[];
  channel?: string;
  tag?: string;
};

/** SQL conditions for the filters shared by message and attempt listings (`m` is messages). */
export function messageConditions(
  filter: MessageFilter,
  where: string[],
  params: SqlValue[],
): void {
  if (filter.before !== undefined) {
    where.push('m.created_at < ?');
    params.push(filter.before);
  }
  if (filter.after !== undefined) {
    where.push('m.created_at > ?');
    params.push(filter.after);
  }
  if (filter.eventTypes && filter.eventTypes.length > 0) {
    where.push(`m.event_type IN (${filter.eventTypes.map(() => '?').join(', ')})`);
    params.push(...filter.eventTypes);
  }
  if (filter.channel !== undefined) {
    where.push("m.channels LIKE ? ESCAPE '\\'");
    params.push(`%${JSON.stringify(filter.channel).replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  }
  if (filter.tag !== undefined) {
    where.push("m.tags LIKE ? ESCAPE '\\'");
    params.push(`%${JSON.stringify(filter.tag).replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  }
}

/**
 * Lets a local dispatcher with room take a new delivery as it is stored: `take` answers the
 * end of its lease, and the delivery is stored already claimed (no claim query, no wait for
 * the next round); or null, and it is stored pending for any worker.
 */
export type DeliveryHandoff = {
  take(endpoint: Endpoint, failSince: number | null, now: number): number | null;
};

type Publication = {
  message: Message;
  onlyEndpointId: string | undefined;
  handoff: DeliveryHandoff | undefined;
};

type Candidate = { endpoint: Endpoint; failSince: number | null };

export function messageRepository(db: Database, endpoints: EndpointRepository) {
  /**
   * Stores one message and its deliveries inside a savepoint of the group's transaction, so
   * a failing message (a repeated eventId) leaves the others of the group untouched.
   */
  async function insertOne(
    tx: SqlExecutor,
    { message, onlyEndpointId, handoff }: Publication,
    enabled: Map<string, Candidate[]>,
  ) {
    await tx.run('SAVEPOINT publish');
    try {
      await insertMessage(tx, message);
      let candidates = enabled.get(message.appId);
      if (!candidates) {
        candidates = await endpoints.listEnabledWithHealth(message.appId, tx);
        enabled.set(message.appId, candidates);
      }
      const targets = onlyEndpointId
        ? candidates.filter((c) => c.endpoint.id === onlyEndpointId)
        : candidates.filter((c) => endpointMatches(c.endpoint, message));
      const due = message.deliverAt ?? message.createdAt;
      for (const { endpoint, failSince } of targets) {
        const lease =
          message.deliverAt === null
            ? (handoff?.take(endpoint, failSince, message.createdAt) ?? null)
            : null;
        await tx.run(
          'INSERT INTO deliveries (msg_id, endpoint_id, app_id, status, attempt_count, next_attempt_at, trigger_type, created_at, updated_at) VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?)',
          [
            message.id,
            endpoint.id,
            message.appId,
            lease === null ? MessageStatus.pending : MessageStatus.sending,
            lease ?? due,
            TriggerType.scheduled,
            message.createdAt,
            message.createdAt,
          ],
        );
      }
      await tx.run('RELEASE publish');
      return targets.length;
    } catch (error) {
      await tx.run('ROLLBACK TO publish');
      await tx.run('RELEASE publish');
      if (db.capabilities.isUniqueViolation(error)) {
        throw conflict(
          `a message with eventId "${message.eventId}" already exists in this application`,
        );
      }
      throw error;
    }
  }

  // Group commit: messages published in the same turn of the event loop share one
  // transaction (one write to disk), and each caller is answered once it is committed.
  const groupCommit = createGroupCommit<Publication, number>(async (batch) => {
    const enabled = new Map<string, Candidate[]>();
    return db.transaction(async (tx) => {
      const outcomes: ({ ok: true; value: number } | { ok: false; error: unknown })[] = [];
      for (const publication of batch) {
        try {
          outcomes.push({ ok: true, value: await insertOne(tx, publication, enabled) });
        } catch (error) {
          outcomes.push({ ok: false, error });
        }
      }
      return outcomes;
    });
  });

  return {
    /**
     * Stores the message and its deliveries; returns how many deliveries were created. With
     * `onlyEndpointId`, the message goes to that endpoint alone, whatever its filters.
     */
    publish(message: Message, onlyEndpointId?: string, handoff?: DeliveryHandoff): Promise<number> {
      return groupCommit.add({ message, onlyEndpointId, handoff });
    },

    /** Finds a message of an application by id or eventId. */
    async find(appId: string, idOrEventId: string): Promise<Message | null> {
      const row = await db.get<MessageRow>(
        'SELECT * FROM messages WHERE app_id = ? AND (id = ? OR event_id = ?) ORDER BY id = ? DESC LIMIT 1',
        [appId, idOrEventId, idOrEventId, idOrEventId],
      );
      return row ? toMessage(row) : null;
    },

    list(appId: string, filter: MessageFilter, page: PageQuery): Promise<Page<Message>> {
      const where = ['m.app_id = ?'];
      const params: SqlValue[] = [appId];
      messageConditions(filter, where, params);
      return paginate(db, {
        from: 'SELECT m.* FROM messages m',
        where,
        params,
        key: 'm.id',
        page,
        map: toMessage,
        keyOf: (m) => m.id,
      });
    },

    /** Purges the payloads of messages created before `before`; they then read as expired. */
    async purgePayloads(before: number): Promise<number> {
      const result = await db.run(
        'UPDATE messages SET payload = NULL, expired = 1 WHERE created_at < ? AND expired = 0',
        [before],
      );
      return result.changes;
    },

    async expungeContent(id: string): Promise<void> {
      await db.run('UPDATE messages SET payload = NULL WHERE id = ?', [id]);
    },
  };
}

async function insertMessage(tx: SqlExecutor, m: Message): Promise<void> {
  await tx.run(
    'INSERT INTO messages (id, app_id, event_id, event_type, payload, channels, tags, created_at, deliver_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    [
      m.id,
      m.appId,
      m.eventId,
      m.eventType,
      m.payload,
      toJson(m.channels),
      toJson(m.tags),
      m.createdAt,
      m.deliverAt,
    ],
  );
}

export type MessageRepository = ReturnType<typeof messageRepository>;
