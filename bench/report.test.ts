// The report's CPU budget: what a rate target leaves a delivery, from one run's figures.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { budget, type ResultRow } from './report.ts';

const row = (r: Partial<ResultRow> & Pick<ResultRow, 'row' | 'store'>): ResultRow => ({
  median: 1,
  min: 1,
  max: 1,
  unit: 'deliveries/s',
  ratio: null,
  peakRssMb: null,
  cpuUsPerDelivery: null,
  receiverUs: null,
  generatorUs: null,
  machineUs: null,
  target: '',
  met: null,
  detail: '',
  ...r,
});

const ceiling = row({ row: 'ceiling', store: '-', cpuUsPerDelivery: 40, receiverUs: 30 });

test('a rate target leaves Herald what the cores give per delivery less the receiver', () => {
  const rows = [
    ceiling,
    row({ row: 'delivery fan-out 1', store: 'sqlite', cpuUsPerDelivery: 130, machineUs: 200 }),
  ];
  const [line] = budget(
    rows,
    [{ row: 'delivery fan-out 1', store: 'sqlite', rate: 25_000, op: 'delivery' }],
    2,
  );
  assert.equal(
    line,
    'delivery fan-out 1 (sqlite) at 25,000/s: 2 cores give 80 µs of CPU per delivery; ' +
      'the receiver needs 30 µs, leaving Herald 50 µs, where sending alone costs 40 µs; ' +
      "Herald spent 130 µs; at the whole machine's 200 µs per delivery, 2 cores manage at most 10,000/s",
  );
});

test('the publishing client and the database server are counted apart', () => {
  const rows = [
    ceiling,
    row({
      row: 'end to end',
      store: 'postgres',
      cpuUsPerDelivery: 300,
      receiverUs: 35,
      generatorUs: 50,
      machineUs: 1000,
    }),
  ];
  const [line] = budget(
    rows,
    [{ row: 'end to end', store: 'postgres', rate: 5000, op: 'message' }],
    4,
  );
  assert.match(line ?? '', /4 cores give 800 µs of CPU per message/);
  assert.match(
    line ?? '',
    /the receiver needs 30 µs and the publishing client 50 µs, leaving Herald and PostgreSQL 720 µs/,
  );
  // 1000 - 300 (Herald) - 35 (receiver, in this run) - 50 (client)
  assert.match(line ?? '', /PostgreSQL with the rest of the machine 615 µs/);
});

test('a row that sends nothing (ingest) leaves the receiver out', () => {
  const rows = [
    ceiling,
    row({
      row: 'ingest',
      store: 'postgres',
      unit: 'msgs/s',
      cpuUsPerDelivery: 80,
      generatorUs: 40,
      machineUs: 220,
    }),
  ];
  const [line] = budget(
    rows,
    [{ row: 'ingest', store: 'postgres', rate: 10_000, op: 'message', delivers: false }],
    2,
  );
  assert.equal(
    line,
    'ingest (postgres) at 10,000/s: 2 cores give 200 µs of CPU per message; ' +
      'the publishing client needs 40 µs, leaving Herald and PostgreSQL 160 µs; ' +
      'Herald spent 80 µs and PostgreSQL with the rest of the machine 100 µs; ' +
      "at the whole machine's 220 µs per message, 2 cores manage at most 9,091/s",
  );
});

test('rows that did not run, or a run without the ceiling, give no budget', () => {
  const target = { row: 'delivery fan-out 1', store: 'sqlite', rate: 25_000, op: 'delivery' };
  assert.deepEqual(budget([ceiling], [target], 2), []);
  assert.deepEqual(
    budget(
      [row({ row: 'delivery fan-out 1', store: 'sqlite', cpuUsPerDelivery: 1, machineUs: 2 })],
      [target],
      2,
    ),
    [],
  );
});
