// The columns sealed at rest (see secret-box.ts; of an endpoint's URL, only its password: see
// url-password.ts), and the pass that seals what is not yet sealed with the current key:
// values written before encryption (at the first start of a version that encrypts) and values
// sealed with a previous key (after `herald rotate-key`).
import type { Database } from './database.ts';
import type { SecretBox } from './secret-box.ts';
import { openUrlPassword, sealUrlPassword, urlPasswordNeedsReseal } from './url-password.ts';

/** Sealing every secret at rest again with the current main secret. */
export interface SealedColumnRepository {
  /**
   * Seals, with the current key, every sealed column's value that is not yet: returns how
   * many rows changed. Each row is rewritten only if it did not change meanwhile.
   */
  reseal(): Promise<number>;
}

/** How a column is sealed: the whole value, or a part of it (a URL's password). */
type Sealing = {
  needsReseal(box: SecretBox, value: string): boolean;
  reseal(box: SecretBox, value: string): string;
};

const whole: Sealing = {
  needsReseal: (box, value) => box.needsReseal(value),
  reseal: (box, value) => box.seal(box.open(value)),
};

const urlPassword: Sealing = {
  needsReseal: urlPasswordNeedsReseal,
  reseal: (box, value) => sealUrlPassword(box, openUrlPassword(box, value)),
};

/** Table, key column and sealed columns. */
const sealed: { table: string; key: string; columns: Record<string, Sealing> }[] = [
  {
    table: 'endpoints',
    key: 'id',
    columns: { headers: whole, secrets: whole, url: urlPassword },
  },
  { table: 'idempotency_keys', key: 'key_hash', columns: { body: whole } },
];

const batchSize = 500;

export function sealedColumnRepository(db: Database, box: SecretBox): SealedColumnRepository {
  return {
    async reseal(): Promise<number> {
      let changed = 0;
      for (const { table, key, columns: sealings } of sealed) {
        const columns = Object.keys(sealings);
        const sealing = (column: string) => sealings[column] as Sealing;
        let after = '';
        for (;;) {
          const rows = await db.all<Record<string, string | null>>(
            `SELECT ${key}, ${columns.join(', ')} FROM ${table} WHERE ${key} > ? ORDER BY ${key} LIMIT ${batchSize}`,
            [after],
          );
          for (const row of rows) {
            const values = columns.map((c) => row[c] ?? null);
            const stale = (v: string | null, i: number) =>
              v !== null && sealing(columns[i] as string).needsReseal(box, v);
            if (!values.some(stale)) continue;
            const next = values.map((v, i) =>
              v === null ? null : sealing(columns[i] as string).reseal(box, v),
            );
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
