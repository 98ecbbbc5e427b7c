// Writing a batch of attempt records and moving their deliveries on: one statement over JSON
// arrays where the database takes one (PostgreSQL), two prepared statements per attempt where
// statements run row at a time (SQLite). Runs inside the transaction the records ride on.
import { TriggerType } from '../domain/message.ts';
import type { Capabilities, SqlExecutor } from './database.ts';
import type { AttemptRecord, ClaimedDelivery } from './queue.ts';
import {
  jsonBatchRecordNames,
  loadStatements,
  rowRecordNames,
  type Statement,
} from './sql/statements.ts';

export type WriteRecords = (
  tx: SqlExecutor,
  records: AttemptRecord[],
  now: number,
) => Promise<void>;

/** The record writer for this database. */
export function attemptRecordWriter(
  capabilities: Pick<Capabilities, 'rowAtATime' | 'dialect'>,
): WriteRecords {
  return capabilities.rowAtATime
    ? rowRecords(loadStatements(capabilities.dialect, rowRecordNames))
    : batchRecords(loadStatements(capabilities.dialect, jsonBatchRecordNames));
}

/** Scheduled attempts count towards the retry schedule; manual ones do not. */
const counted = (d: ClaimedDelivery) => (d.triggerType === TriggerType.scheduled ? 1 : 0);

function rowRecords(sql: Record<(typeof rowRecordNames)[number], Statement>): WriteRecords {
  const record = sql['record-attempt'];
  const finish = sql['finish-attempt'];
  return async (tx, records, now) => {
    for (const { attempt: a, delivery: d, status, nextAttemptAt } of records) {
      await tx.run(
        record.text,
        record.bind({
          id: a.id,
          msg_id: a.msgId,
          endpoint_id: a.endpointId,
          app_id: a.appId,
          url: a.url,
          status: a.status,
          response_status_code: a.responseStatusCode,
          response: a.response,
          response_duration_ms: a.responseDurationMs,
          trigger_type: a.triggerType,
          created_at: a.createdAt,
          request_headers: a.requestHeaders === null ? null : JSON.stringify(a.requestHeaders),
          private_destination: a.privateDestination ? 1 : 0,
        }),
      );
      await tx.run(
        finish.text,
        finish.bind({
          status,
          next_attempt_at: nextAttemptAt,
          add: counted(d),
          now,
          msg_id: d.msgId,
          endpoint_id: d.endpointId,
          seen_count: d.attemptCount,
        }),
      );
    }
  };
}

function batchRecords(sql: Record<(typeof jsonBatchRecordNames)[number], Statement>): WriteRecords {
  return async (tx, records, now) => {
    // The headers go in as JSON text: the column keeps them in the order they were sent.
    const attempts = JSON.stringify(
      records.map(({ attempt: a }) => ({
        ...a,
        requestHeaders: a.requestHeaders === null ? null : JSON.stringify(a.requestHeaders),
        privateDestination: a.privateDestination ? 1 : 0,
      })),
    );
    const moves = JSON.stringify(
      records.map(({ delivery, status, nextAttemptAt }) => ({
        msgId: delivery.msgId,
        endpointId: delivery.endpointId,
        seenCount: delivery.attemptCount,
        status,
        nextAttemptAt,
        add: counted(delivery),
      })),
    );
    await tx.run(
      sql['record-attempts'].text,
      sql['record-attempts'].bind({ attempts, moves, now }),
    );
  };
}
