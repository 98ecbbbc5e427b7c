// `herald migrate-data --from sqlite:... --to postgres://...`: copies a whole installation
// from one store to another (in practice, an embedded SQLite file to PostgreSQL), table by
// table in batches, with a progress bar. It refuses a target that already holds data and
// checks every table's row count at the end.
import type { SqlValue } from '../store/database.ts';
import type { Store } from '../store/store.ts';

/** Tables in an order that satisfies their foreign keys. */
export const tables = [
  'settings',
  'applications',
  'event_types',
  'endpoints',
  'messages',
  'deliveries',
  'attempts',
  'tokens',
  'idempotency_keys',
  'background_tasks',
  'play_inboxes',
  'play_requests',
] as const;

const batchRows = 500;

export type Progress = (table: string, copied: number, total: number) => void;

export async function migrateData(
  from: Store,
  to: Store,
  progress: Progress = () => {},
): Promise<Record<string, number>> {
  for (const table of tables) {
    const row = await to.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`);
    // Herald's own operational application is created on every start: it does not count.
    const own =
      table === 'applications'
        ? await to.db.get<{ n: number }>(
            'SELECT COUNT(*) AS n FROM applications WHERE internal = 1',
          )
        : { n: 0 };
    if (Number(row?.n ?? 0) - Number(own?.n ?? 0) > 0) {
      throw new Error(
        `the target is not empty: table ${table} has rows; migrate into a fresh database or schema`,
      );
    }
  }
  // Start from a truly empty target (drop the operational application a start may have made).
  await to.db.run('DELETE FROM applications WHERE internal = 1');

  const counts: Record<string, number> = {};
  for (const table of tables) {
    const total = Number(
      (await from.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`))?.n ?? 0,
    );
    let copied = 0;
    progress(table, 0, total);
    while (copied < total) {
      const rows = await from.db.all<Record<string, SqlValue>>(
        `SELECT * FROM ${table} ORDER BY rowid LIMIT ? OFFSET ?`,
        [batchRows, copied],
      );
      if (rows.length === 0) break;
      const columns = Object.keys(rows[0] ?? {});
      const placeholders = `(${columns.map(() => '?').join(', ')})`;
      await to.db.transaction(async (tx) => {
        await tx.run(
          `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${rows.map(() => placeholders).join(', ')}`,
          rows.flatMap((r) => columns.map((c) => r[c] ?? null)),
        );
      });
      copied += rows.length;
      progress(table, copied, total);
    }
    const landed = Number(
      (await to.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`))?.n ?? 0,
    );
    if (landed !== total) throw new Error(`table ${table}: copied ${landed} rows of ${total}`);
    counts[table] = total;
  }
  return counts;
}
