// `herald migrate-data --from URL --to URL`: copies a whole installation from one store to
// another (an embedded SQLite file to PostgreSQL, or back), table by table in batches, with a
// progress bar. It refuses a target that already holds data and checks every table's row
// count at the end.
import type { Store } from '../store/store.ts';
import { tableNames } from '../store/transfer.ts';

const batchRows = 500;

export type Progress = (table: string, copied: number, total: number) => void;

export async function migrateData(
  from: Store,
  to: Store,
  progress: Progress = () => {},
): Promise<Record<string, number>> {
  for (const table of tableNames) {
    // Herald's own operational application is created on every start: it does not count.
    if ((await to.transfer.count(table, { producerOnly: true })) > 0) {
      throw new Error(
        `the target is not empty: table ${table} has rows; migrate into a fresh database or schema`,
      );
    }
  }
  // Start from a truly empty target (drop the operational application a start may have made).
  await to.transfer.removeOwn();

  const counts: Record<string, number> = {};
  for (const table of tableNames) {
    const total = await from.transfer.count(table);
    let copied = 0;
    progress(table, 0, total);
    for await (const rows of from.transfer.rows(table, batchRows)) {
      await to.transfer.write(table, rows);
      copied += rows.length;
      progress(table, copied, total);
    }
    const landed = await to.transfer.count(table);
    if (landed !== total) throw new Error(`table ${table}: copied ${landed} rows of ${total}`);
    counts[table] = total;
  }
  return counts;
}
