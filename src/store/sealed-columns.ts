// The columns sealed at rest (see secret-box.ts), and the pass that seals what is not yet
// sealed with the current key: values written before encryption (at the first start of a
// version that encrypts) and values sealed with a previous key (after `herald rotate-key`).
import type { Database } from './database.ts';
import type { SecretBox } from './secret-box.ts';

/** Sealing every secret at rest again with the current main secret. */
export interface SealedColumnRepository {
  /**
   * Seals, with the current key, every sealed column's value that is not yet: returns how
   * many rows changed. Each row is rewritten only if it did not change meanwhile.
   */
  reseal(): Promise<number>;
}

/** Table, key column and sealed columns. */
const sealed = [
  { table: 'endpoints', key: 'id', columns: ['headers', 'secrets'] },
  { table: 'idempotency_keys', key: 'key_hash', columns: ['body'] },
] as const;

const batchSize = 500;

export function sealedColumnRepository(db: Database, box: SecretBox): SealedColumnRepository {
  return {
    async reseal(): Promise<number> {
      let changed = 0;
      for (const { table, key, columns } of sealed) {
        let after = '';
        for (;;) {
          const rows = await db.all<Record<string, string | null>>(
            `SELECT ${key}, ${columns.join(', ')} FROM ${table} WHERE ${key} > ? ORDER BY ${key} LIMIT ${batchSize}`,
            [after],
          );
          for (const row of rows) {
            const values = columns.map((c) => row[c] ?? null);
            if (!values.some((v) => v !== null && box.needsReseal(v))) continue;
            const next = values.map((v) => (v === null ? null : box.seal(box.open(v))));
            const set = columns.map((c) => `${c} = ?`).join(', ');
            const same = columns.map((c) => `${c} IS NOT DISTINCT FROM ?`).join(' AND ');
            const result = await db.run(`UPDATE ${table} SET ${set} WHERE ${key} = ? AND ${same}`, [
              ...next,
              row[key] as string,
              ...values,
            ]);
            changed += result.changes;
          }
          if (rows.length < batchSize) break;
          after = rows.at(-1)?.[key] as string;
        }
      }
      return changed;
    },
  };
}
