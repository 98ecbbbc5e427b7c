// The hot-path statements: one `.sql` file per statement, named after the operation, read and
// compiled once at start. A statement the two dialects write alike is written once, in
// `shared/`; `sqlite/` and `postgres/` hold only those whose SQL really differs (claims under
// SKIP LOCKED, JSON arrays, one-statement batches).
//
// Files name their parameters (`:now`, `:endpoint_id`) and each dialect gets its own
// placeholders (`?1` for SQLite, `$1` for PostgreSQL); callers bind values by name. Delivery
// statuses and trigger types are never written as numbers: `:status_sending` and the like
// are bound from the domain's constants.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MessageStatus, TriggerType } from '../../domain/message.ts';
import type { DialectName, SqlValue } from '../database.ts';

export const statementNames = [
  'claim-deliveries',
  'defer-delivery',
  'extend-lease',
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

/** Named values every statement may use without being given them. */
export const sqlConstants: Readonly<Record<string, SqlValue>> = Object.freeze({
  status_success: MessageStatus.success,
  status_pending: MessageStatus.pending,
  status_fail: MessageStatus.fail,
  status_sending: MessageStatus.sending,
  trigger_scheduled: TriggerType.scheduled,
  trigger_manual: TriggerType.manual,
});

export type Statement = {
  /** The text for its dialect, with that dialect's placeholders. */
  readonly text: string;
  /** The parameter names, in placeholder order. */
  readonly params: readonly string[];
  /** The values to run it with, in placeholder order (constants bind themselves). */
  bind(values?: Readonly<Record<string, SqlValue>>): SqlValue[];
};

/**
 * Compiles a statement written with named parameters for one dialect. Comments are dropped;
 * quoted text and identifiers, and PostgreSQL's `::` casts, are left as they are. Positional
 * placeholders are refused, so a file reads the same whichever dialect runs it.
 */
export function compileStatement(name: string, source: string, dialect: DialectName): Statement {
  const params: string[] = [];
  let text = '';
  let i = 0;
  while (i < source.length) {
    const ch = source[i] as string;
    const next = source[i + 1];
    if (ch === "'" || ch === '"') {
      const end = source.indexOf(ch, i + 1);
      if (end < 0) throw new Error(`SQL statement ${name}: unterminated ${ch}`);
      text += source.slice(i, end + 1);
      i = end + 1;
    } else if (ch === '-' && next === '-') {
      const end = source.indexOf('\n', i);
      i = end < 0 ? source.length : end;
    } else if (ch === ':' && next === ':') {
      text += '::';
      i += 2;
    } else if (ch === ':' && next !== undefined && /[a-z_]/.test(next)) {
      const param = /^[a-z_][a-z0-9_]*/.exec(source.slice(i + 1))?.[0] as string;
      let n = params.indexOf(param);
      if (n < 0) n = params.push(param) - 1;
      text += dialect === 'postgres' ? `$${n + 1}` : `?${n + 1}`;
      i += 1 + param.length;
    } else if (ch === '?' || (ch === '$' && next !== undefined && /\d/.test(next))) {
      throw new Error(`SQL statement ${name}: name its parameters (:name), not ${ch}`);
    } else {
      text += ch;
      i++;
    }
  }
  text = text
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line) => line.trim() !== '')
    .join('\n');
  const slots = params.map((param) => ({ param, constant: sqlConstants[param] }));
  return {
    text,
    params,
    bind(values = {}) {
      const out = new Array<SqlValue>(slots.length);
      for (let n = 0; n < slots.length; n++) {
        const { param, constant } = slots[n] as (typeof slots)[number];
        const value = constant === undefined ? values[param] : constant;
        if (value === undefined) throw new Error(`SQL statement ${name}: no value for :${param}`);
        out[n] = value;
      }
      return out;
    },
  };
}

/** Where a statement's file is, for a dialect: `shared/` or the dialect's own directory. */
export function statementFile(dialect: DialectName, name: string): string {
  const own = existingFiles(dialect).has(`${name}.sql`);
  const shared = existingFiles('shared').has(`${name}.sql`);
  if (own && shared)
    throw new Error(`SQL statement ${name} is written twice: shared and ${dialect}`);
  if (!own && !shared) throw new Error(`missing SQL statement ${dialect}/${name}.sql`);
  return join(import.meta.dirname, own ? dialect : 'shared', `${name}.sql`);
}

const listings = new Map<string, Set<string>>();
function existingFiles(dir: string): Set<string> {
  let files = listings.get(dir);
  if (!files) {
    files = new Set(readdirSync(join(import.meta.dirname, dir)));
    listings.set(dir, files);
  }
  return files;
}

export function loadStatements<N extends string = StatementName>(
  dialect: DialectName,
  names: readonly N[] = statementNames as unknown as readonly N[],
): Record<N, Statement> {
  const out = {} as Record<N, Statement>;
  for (const name of names) {
    out[name] = compileStatement(name, readFileSync(statementFile(dialect, name), 'utf8'), dialect);
  }
  return out;
}
