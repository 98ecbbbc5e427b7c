// Whole tables out of one store and into another (`herald migrate-data`, either way between
// SQLite and PostgreSQL). Rows are read in primary-key order, a key both engines keep (SQLite's
// rowid is SQLite's alone), and a batch resumes after the last key read, so each read costs
// the same however far the copy has gone.
import { deleteApplications } from './applications.ts';
import type { Database, SqlValue } from './database.ts';

/** Herald's tables, parents before children, each with its primary key. */
const primaryKeys = {
  settings: ['key'],
  applications: ['id'],
  event_types: ['name'],
  endpoints: ['id'],
  messages: ['id'],
  deliveries: ['msg_id', 'endpoint_id'],
  attempts: ['id'],
  tokens: ['id'],
  idempotency_keys: ['key_hash'],
  background_tasks: ['id'],
  play_inboxes: ['id'],
  play_requests: ['id'],
} as const satisfies Record<string, readonly string[]>;

export type TableName = keyof typeof primaryKeys;

/** Every table, in an order that satisfies their foreign keys. */
export const tableNames = Object.keys(primaryKeys) as TableName[];

export type TableRow = Record<string, SqlValue>;

/** Whole tables out of this store and into another (`herald migrate-data`). */
export interface DataTransfer {
  /**
   * Rows in `table`. `producerOnly` leaves out what Herald makes for itself at every start
   * (its operational application), which a new store may already hold.
   */
  count(table: TableName, options?: { producerOnly?: boolean }): Promise<number>;
  /** The rows of `table` in primary-key order, `batchRows` at a time. */
  rows(table: TableName, batchRows: number): AsyncGenerator<TableRow[]>;
  /** Writes rows read from another store's `table`, all or none. */
  write(table: TableName, rows: readonly TableRow[]): Promise<void>;
  /** Removes what Herald made for itself at start, so that a copy lands in an empty store. */
  removeOwn(): Promise<void>;
}

export function transferRepository(db: Database): DataTransfer {
  return {
    async count(table: TableName, options: { producerOnly?: boolean } = {}): Promise<number> {
      const own = options.producerOnly && table === 'applications' ? ' WHERE internal = 0' : '';
      const row = await db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}${own}`);
      return Number(row?.n ?? 0);
    },

    async *rows(table: TableName, batchRows: number): AsyncGenerator<TableRow[]> {
      const key: readonly string[] = primaryKeys[table];
      const order = key.join(', ');
      const after = `(${order}) > (${key.map(() => '?').join(', ')})`;
      let last: SqlValue[] | null = null;
      for (;;) {
        const rows: TableRow[] = await db.all<TableRow>(
          last === null
            ? `SELECT * FROM ${table} ORDER BY ${order} LIMIT ?`
            : `SELECT * FROM ${table} WHERE ${after} ORDER BY ${order} LIMIT ?`,
          [...(last ?? []), batchRows],
        );
        if (rows.length === 0) return;
        yield rows;
        const end = rows.at(-1) as TableRow;
        last = key.map((column) => end[column] ?? null);
        if (rows.length < batchRows) return;
      }
    },

    async write(table: TableName, rows: readonly TableRow[]): Promise<void> {
      const columns = Object.keys(rows[0] ?? {});
      if (columns.length === 0) return;
      const placeholders = `(${columns.map(() => '?').join(', ')})`;
      await db.transaction(async (tx) => {
        await tx.run(
          `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${rows.map(() => placeholders).join(', ')}`,
          rows.flatMap((r) => columns.map((c) => r[c] ?? null)),
        );
      });
    },

    async removeOwn(): Promise<void> {
      await deleteApplications(db, 'internal = 1', []);
    },
  };
}
