// Messages in the store. Publishing writes the message and one pending delivery per matching
// endpoint in one transaction: once acknowledged, nothing is lost.
import { type Endpoint, endpointMatches } from '../domain/endpoint.ts';
import { conflict } from '../domain/errors.ts';
import { type Message, MessageStatus, TriggerType } from '../domain/message.ts';
import type { Database, SqlExecutor, SqlValue } from './database.ts';
import { enabledEndpointsOf } from './endpoints.ts';
import { createGroupCommit, type Outcome } from './group-commit.ts';
import { parseJson, toJson } from './json-columns.ts';
import { type Page, type PageQuery, paginate } from './pagination.ts';
import type { SecretBox } from './secret-box.ts';
import { jsonBatchStatementNames, loadStatements } from './sql/statements.ts';

export type MessageRow = {
  id: string;
  app_id: string;
  event_id: string | null;
  event_type: string;
  payload: string | null;
  content_type?: string | null;
  expired?: number;
  channels: string | null;
  tags: string | null;
  created_at: number;
  deliver_at: number | null;
};

export type MessageFilter = {
  before?: number;
  after?: number;
  eventTypes?: string[];
  channel?: string;
  tag?: string;
};

/**
 * Lets a local dispatcher with room take a new delivery as it is stored: `take` answers the
 * end of its lease, and the delivery is stored already claimed (no claim query, no wait for
 * the next round); or null, and it is stored pending for any worker.
 */
export type DeliveryHandoff = {
  take(endpoint: Endpoint, failSince: number | null, now: number): number | null;
};

/** Messages: publishing (with their deliveries, in one transaction), reading, purging. */
export interface MessageRepository {
  /**
   * Stores the message and its deliveries; returns how many deliveries were created, once
   * committed. With `onlyEndpointId`, the message goes to that endpoint alone, whatever its
   * filters. Throws a conflict when its eventId is taken in its application.
   */
  publish(message: Message, onlyEndpointId?: string, handoff?: DeliveryHandoff): Promise<number>;
  /** Finds a message of an application by id or eventId, the id first (null: none). */
  find(appId: string, idOrEventId: string): Promise<Message | null>;
  /** Lists an application's messages matching `filter`, by id (the order they were made). */
  list(appId: string, filter: MessageFilter, page: PageQuery): Promise<Page<Message>>;
  /**
   * Purges the payloads of messages created before `before`; they then read as expired.
   * Returns how many were purged.
   */
  purgePayloads(before: number): Promise<number>;
  /** Removes one message's payload (the caller has found it within its application). */
  expungeContent(id: string): Promise<void>;
}

export const toMessage = (r: MessageRow): Message => ({
  id: r.id,
  appId: r.app_id,
  eventId: r.event_id,
  eventType: r.event_type,
  payload: r.payload,
  contentType: r.content_type ?? null,
  expired: Boolean(r.expired),
  channels: parseJson(r.channels, null),
  tags: parseJson(r.tags, null),
  createdAt: Number(r.created_at),
  deliverAt: r.deliver_at === null ? null : Number(r.deliver_at),
});

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

type Publication = {
  message: Message;
  onlyEndpointId: string | undefined;
  handoff: DeliveryHandoff | undefined;
};

type Candidate = { endpoint: Endpoint; failSince: number | null };

export function messageRepository(db: Database, box: SecretBox): MessageRepository {
  const batchSql = db.capabilities.rowAtATime
    ? null
    : loadStatements(db.capabilities.dialect, jsonBatchStatementNames);

  /** The endpoints a message goes to, of its application's enabled ones. */
  function targetsAmong(
    { message, onlyEndpointId }: Publication,
    candidates: Candidate[],
  ): Candidate[] {
    return onlyEndpointId
      ? candidates.filter((c) => c.endpoint.id === onlyEndpointId)
      : candidates.filter((c) => endpointMatches(c.endpoint, message));
  }

  /** The endpoints a message goes to (the application's enabled ones, read once a group). */
  async function targetsOf(
    tx: SqlExecutor,
    publication: Publication,
    enabled: Map<string, Candidate[]>,
  ): Promise<Candidate[]> {
    const { appId } = publication.message;
    let candidates = enabled.get(appId);
    if (!candidates) {
      candidates = (await enabledEndpointsOf(tx, box, [appId])).get(appId) ?? [];
      enabled.set(appId, candidates);
    }
    return targetsAmong(publication, candidates);
  }

  /** A delivery's row: leased already when the local dispatcher takes it (see DeliveryHandoff). */
  function deliveryOf({ message, handoff }: Publication, { endpoint, failSince }: Candidate) {
    const lease =
      message.deliverAt === null
        ? (handoff?.take(endpoint, failSince, message.createdAt) ?? null)
        : null;
    return {
      msgId: message.id,
      endpointId: endpoint.id,
      appId: message.appId,
      status: lease === null ? MessageStatus.pending : MessageStatus.sending,
      nextAttemptAt: lease ?? message.deliverAt ?? message.createdAt,
      triggerType: TriggerType.scheduled,
      createdAt: message.createdAt,
    };
  }

  const repeatedEventId = (message: Message) =>
    conflict(`a message with eventId "${message.eventId}" already exists in this application`);

  /**
   * Stores one message and its deliveries. A message that cannot be stored (a repeated
   * eventId) fails alone and leaves the others of the group untouched: its insert is undone
   * by itself where a failed statement is (`undoesFailedStatement`), in a savepoint elsewhere.
   * Its deliveries cannot fail but with the whole transaction.
   */
  async function insertOne(
    tx: SqlExecutor,
    publication: Publication,
    enabled: Map<string, Candidate[]>,
  ): Promise<number> {
    const undoesAlone = db.capabilities.undoesFailedStatement;
    const savepoint = undoesAlone === undefined;
    if (savepoint) await tx.run('SAVEPOINT publish');
    try {
      await insertMessage(tx, publication.message);
    } catch (error) {
      if (savepoint) {
        await tx.run('ROLLBACK TO publish');
        await tx.run('RELEASE publish');
      } else if (!undoesAlone?.(error)) {
        throw error; // the engine may have undone more than the statement: all fail
      }
      throw new MessageNotStored(
        db.capabilities.isUniqueViolation(error) ? repeatedEventId(publication.message) : error,
      );
    }
    const targets = await targetsOf(tx, publication, enabled);
    for (const target of targets) {
      const d = deliveryOf(publication, target);
      await tx.run(
        'INSERT INTO deliveries (msg_id, endpoint_id, app_id, status, attempt_count, next_attempt_at, trigger_type, created_at, updated_at) VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?)',
        [
          d.msgId,
          d.endpointId,
          d.appId,
          d.status,
          d.nextAttemptAt,
          d.triggerType,
          d.createdAt,
          d.createdAt,
        ],
      );
    }
    if (savepoint) await tx.run('RELEASE publish');
    return targets.length;
  }

  /**
   * Each message of the group on its own: one that cannot be stored fails alone; a failure
   * storing deliveries fails the whole group (nothing of it is committed).
   */
  function insertEach(batch: Publication[]): Promise<Outcome<number>[]> {
    const enabled = new Map<string, Candidate[]>();
    return db.transaction(async (tx) => {
      const outcomes: Outcome<number>[] = [];
      for (const publication of batch) {
        let stored: number;
        try {
          stored = await insertOne(tx, publication, enabled);
        } catch (error) {
          if (!(error instanceof MessageNotStored)) throw error;
          outcomes.push({ ok: false, error: error.cause });
          continue;
        }
        outcomes.push({ ok: true, value: stored });
      }
      return outcomes;
    });
  }

  /**
   * The whole group in one statement over JSON arrays (one round trip, atomic by itself, so
   * no transaction around it), after one read of its applications' endpoints (outside a
   * transaction too: at read committed, a statement inside one would see no more). Should the
   * statement fail (an application deleted meanwhile, say), each message is then stored by
   * itself the same way, so only the one at fault fails; its deliveries keep what the hand-off
   * gave them, so nothing is taken twice.
   */
  async function insertGroup(
    sql: NonNullable<typeof batchSql>,
    batch: Publication[],
  ): Promise<Outcome<number>[]> {
    const enabled = await enabledEndpointsOf(db, box, [
      ...new Set(batch.map((p) => p.message.appId)),
    ]);
    const planned = batch.map((publication) =>
      targetsAmong(publication, enabled.get(publication.message.appId) ?? []).map((target) =>
        deliveryOf(publication, target),
      ),
    );
    const write = async (indexes: number[]): Promise<Set<string>> => {
      const publish = sql['publish-messages'];
      const rows = await db.all<{ id: string }>(
        publish.text,
        publish.bind({
          messages: JSON.stringify(
            indexes.map((i) => {
              const m = (batch[i] as Publication).message;
              return {
                id: m.id,
                appId: m.appId,
                eventId: m.eventId,
                eventType: m.eventType,
                payload: m.payload,
                contentType: m.contentType ?? null,
                channels: toJson(m.channels),
                tags: toJson(m.tags),
                createdAt: m.createdAt,
                deliverAt: m.deliverAt,
                requestId: m.requestId ?? null,
              };
            }),
          ),
          deliveries: JSON.stringify(indexes.flatMap((i) => planned[i] ?? [])),
        }),
      );
      return new Set(rows.map((r) => r.id));
    };
    const outcome = (i: number, stored: Set<string>): Outcome<number> => {
      const { message } = batch[i] as Publication;
      return stored.has(message.id)
        ? { ok: true, value: planned[i]?.length ?? 0 }
        : { ok: false, error: repeatedEventId(message) };
    };
    const all = batch.map((_, i) => i);
    try {
      const stored = await write(all);
      return all.map((i) => outcome(i, stored));
    } catch (error) {
      if (batch.length === 1) return [{ ok: false, error }];
    }
    const outcomes: Outcome<number>[] = [];
    for (const i of all) {
      try {
        outcomes.push(outcome(i, await write([i])));
      } catch (error) {
        outcomes.push({ ok: false, error });
      }
    }
    return outcomes;
  }

  // Group commit: messages published in the same turn of the event loop share one
  // transaction (one write to disk), and each caller is answered once it is committed. Over
  // a network, a few groups at a time: messages arriving meanwhile form the next group, so a
  // busy node makes larger groups rather than more round trips, up to 64 messages (a group
  // is one JSON text, so its size stays bounded).
  const groupCommit = createGroupCommit<Publication, number>(
    (batch) => (batchSql ? insertGroup(batchSql, batch) : insertEach(batch)),
    batchSql ? { concurrency: 4, maxBatch: 64 } : {},
  );

  return {
    publish(message: Message, onlyEndpointId?: string, handoff?: DeliveryHandoff): Promise<number> {
      return groupCommit.add({ message, onlyEndpointId, handoff });
    },

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

/** A message of a group could not be stored; `cause` is what its publisher is told. */
class MessageNotStored extends Error {
  constructor(cause: unknown) {
    super('message not stored', { cause });
  }
}

async function insertMessage(tx: SqlExecutor, m: Message): Promise<void> {
  await tx.run(
    'INSERT INTO messages (id, app_id, event_id, event_type, payload, content_type, channels, tags, created_at, deliver_at, request_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    [
      m.id,
      m.appId,
      m.eventId,
      m.eventType,
      m.payload,
      m.contentType ?? null,
      toJson(m.channels),
      toJson(m.tags),
      m.createdAt,
      m.deliverAt,
      m.requestId ?? null,
    ],
  );
}
