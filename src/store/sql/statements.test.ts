import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { MessageStatus } from '../../domain/message.ts';
import { postgresCapabilities } from '../postgres/postgres-database.ts';
import { sqliteCapabilities } from '../sqlite/sqlite-database.ts';
import {
  compileStatement,
  jsonBatchRecordNames,
  jsonBatchStatementNames,
  loadStatements,
  rowRecordNames,
  statementFile,
  statementNames,
} from './statements.ts';

/** The statements each adapter's store loads (see queue.ts and messages.ts). */
const used = [sqliteCapabilities, postgresCapabilities].map((c) => ({
  dialect: c.dialect,
  names: [
    ...statementNames,
    ...(c.rowAtATime ? rowRecordNames : [...jsonBatchStatementNames, ...jsonBatchRecordNames]),
  ],
}));

const sqlFiles = (dir: string) =>
  readdirSync(join(import.meta.dirname, dir))
    .filter((f) => f.endsWith('.sql'))
    .map((f) => join(import.meta.dirname, dir, f));

test('every statement loads for its dialects, and every SQL file is one of them', () => {
  const loaded = new Set<string>();
  for (const { dialect, names } of used) {
    const statements = loadStatements(dialect, names);
    for (const name of names) {
      assert.ok(statements[name].text.length > 0, `${dialect} ${name}`);
      loaded.add(statementFile(dialect, name));
    }
  }
  const files = ['shared', 'sqlite', 'postgres'].flatMap(sqlFiles);
  assert.deepEqual(
    files.filter((f) => !loaded.has(f)),
    [],
    'files no statement loads',
  );
});

test('a statement both dialects share is written once', () => {
  const shared = sqlFiles('shared').length;
  assert.ok(shared >= 7, `${shared} shared statements`);
  for (const { dialect, names } of used) {
    for (const name of names) {
      const file = statementFile(dialect, name);
      const other = dialect === 'sqlite' ? 'postgres' : 'sqlite';
      if (file.includes('/shared/')) continue;
      // A dialect's own file either has no counterpart or says something else.
      const counterpart = join(import.meta.dirname, other, `${name}.sql`);
      const strip = (path: string) =>
        compileStatement(name, readFileSync(path, 'utf8'), dialect).text;
      try {
        assert.notEqual(strip(file), strip(counterpart), `${name} could be shared`);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
  }
});

test('no SQL file writes a delivery status or trigger type as a number', () => {
  for (const file of ['shared', 'sqlite', 'postgres'].flatMap(sqlFiles)) {
    const sql = readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => !line.trimStart().startsWith('--'))
      .join('\n');
    assert.doesNotMatch(sql, /\b(status|trigger_type)\s*(=|<>|!=|IN\s*\()\s*\d/i, file);
  }
});

test('named parameters become each dialect placeholders, and constants bind themselves', () => {
  const source = [
    '-- A comment, dropped: :ignored',
    'SELECT \':kept\' AS q, "x:y" FROM t',
    'WHERE a = :now AND b = :endpoint_id AND c < :now AND ids @> :ids::jsonb',
    '  AND status IN (:status_pending, :status_sending)',
  ].join('\n');
  const pg = compileStatement('example', source, 'postgres');
  assert.equal(
    pg.text,
    [
      'SELECT \':kept\' AS q, "x:y" FROM t',
      'WHERE a = $1 AND b = $2 AND c < $1 AND ids @> $3::jsonb',
      '  AND status IN ($4, $5)',
    ].join('\n'),
  );
  const sqlite = compileStatement('example', source, 'sqlite');
  assert.match(sqlite.text, /a = \?1 AND b = \?2 AND c < \?1 AND ids @> \?3::jsonb/);
  assert.deepEqual(pg.params, ['now', 'endpoint_id', 'ids', 'status_pending', 'status_sending']);
  assert.deepEqual(pg.bind({ now: 5, endpoint_id: 'ep_1', ids: '[]' }), [
    5,
    'ep_1',
    '[]',
    MessageStatus.pending,
    MessageStatus.sending,
  ]);
  assert.throws(() => pg.bind({ now: 5, ids: '[]' }), /example: no value for :endpoint_id/);
  assert.deepEqual(pg.bind({ now: null, endpoint_id: 'e', ids: '[]' }).slice(0, 1), [null]);
});

test('positional placeholders are refused', () => {
  assert.throws(() => compileStatement('q', 'SELECT ?', 'sqlite'), /name its parameters/);
  assert.throws(() => compileStatement('q', 'SELECT $1', 'postgres'), /name its parameters/);
  assert.throws(() => compileStatement('q', "SELECT 'open", 'sqlite'), /unterminated/);
});
