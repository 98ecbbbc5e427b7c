// Loads the hot-path statements of a dialect: one `.sql` file per statement, named after
// the operation, read once at start.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DialectName } from '../database.ts';

export const statementNames = [
  'claim-deliveries',
  'defer-delivery',
  'release-claims',
  'next-due-at',
  'pause-endpoint-deliveries',
  'resume-endpoint-deliveries',
  'mark-endpoint-success',
  'mark-endpoint-failure',
  'load-messages',
  'load-endpoints',
  'take-throttle-slot',
] as const;

export type StatementName = (typeof statementNames)[number];

/**
 * Statements of the dialects that write many rows in one statement over a JSON array (those
 * without `rowAtATime`; an embedded engine runs one prepared statement per row instead).
 */
export const jsonBatchStatementNames = ['publish-messages'] as const;

/** Recording attempts: one statement per batch over JSON arrays (`record-attempts`)... */
export const jsonBatchRecordNames = ['record-attempts'] as const;

/** ...or two prepared statements per attempt where statements run row at a time. */
export const rowRecordNames = ['record-attempt', 'finish-attempt'] as const;

export function loadStatements<N extends string = StatementName>(
  dialect: DialectName,
  names: readonly N[] = statementNames as unknown as readonly N[],
): Record<N, string> {
  const dir = join(import.meta.dirname, dialect);
  const files = new Set(readdirSync(dir));
  const out = {} as Record<N, string>;
  for (const name of names) {
    if (!files.has(`${name}.sql`)) throw new Error(`missing SQL statement ${dialect}/${name}.sql`);
    out[name] = readFileSync(join(dir, `${name}.sql`), 'utf8')
      .split('\n')
      .filter((line) => !line.trimStart().startsWith('--'))
      .join('\n')
      .trim();
  }
  return out;
}
