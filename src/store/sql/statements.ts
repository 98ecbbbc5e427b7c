// Loads the hot-path statements of a dialect: one `.sql` file per statement, named after
// the operation, read once at start.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DialectName } from '../database.ts';

export const statementNames = [
  'claim-deliveries',
  'record-attempts',
  'finish-attempts',
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

export function loadStatements(dialect: DialectName): Record<StatementName, string> {
  const dir = join(import.meta.dirname, dialect);
  const files = new Set(readdirSync(dir));
  const out = {} as Record<StatementName, string>;
  for (const name of statementNames) {
    if (!files.has(`${name}.sql`)) throw new Error(`missing SQL statement ${dialect}/${name}.sql`);
    out[name] = readFileSync(join(dir, `${name}.sql`), 'utf8')
      .split('\n')
      .filter((line) => !line.trimStart().startsWith('--'))
      .join('\n')
      .trim();
  }
  return out;
}
