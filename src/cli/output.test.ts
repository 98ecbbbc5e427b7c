import assert from 'node:assert/strict';
import { test } from 'node:test';
import { progressBar, record, table } from './output.ts';

test('the progress bar redraws one line on a terminal and writes nothing to a pipe', () => {
  const written: string[] = [];
  const terminal = { isTTY: true, write: (t: string) => written.push(t) };
  const bar = progressBar(terminal);
  bar('messages', 0, 4);
  bar('messages', 2, 4);
  bar('messages', 4, 4);
  assert.deepEqual(written, [
    `\r[${' '.repeat(30)}]   0% messages 0/4`,
    `\r[${'#'.repeat(15)}${' '.repeat(15)}]  50% messages 2/4`,
    `\r[${'#'.repeat(30)}] 100% messages 4/4\n`,
  ]);
  const piped: string[] = [];
  progressBar({ write: (t: string) => piped.push(t) })('messages', 4, 4);
  assert.deepEqual(piped, []);
});

test('tables align their columns; empty cells read "-"', () => {
  const rows = [
    { id: 'app_1', uid: null },
    { id: 'app_22', uid: 'acme' },
  ];
  assert.equal(
    table(rows, [
      ['ID', (r) => r.id],
      ['UID', (r) => r.uid],
    ]),
    'ID      UID\napp_1   -\napp_22  acme\n',
  );
  assert.equal(record({ id: 'x', filterTypes: ['a', 'b'] }), 'id:          x\nfilterTypes: a,b\n');
});
