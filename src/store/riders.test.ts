import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { withRiders } from './riders.ts';
import { openSqliteDatabase } from './sqlite/sqlite-database.ts';

async function openDb() {
  const db = openSqliteDatabase(':memory:');
  await db.run('CREATE TABLE t (id TEXT PRIMARY KEY)');
  const ids = async () =>
    (await db.all<{ id: string }>('SELECT id FROM t ORDER BY id')).map((r) => r.id);
  return { db, ids };
}

test('a rider is committed with the next transaction, long before its wait is over', async () => {
  const { db, ids } = await openDb();
  const started = performance.now();
  const ridden = db.ride((tx) => tx.run('INSERT INTO t (id) VALUES (?)', ['rider']), 10_000);
  await db.transaction((tx) => tx.run('INSERT INTO t (id) VALUES (?)', ['host']));
  await ridden;
  assert.ok(performance.now() - started < 2_000, 'the rider did not wait for its own commit');
  assert.deepEqual(await ids(), ['host', 'rider']);
  await db.close();
});

test('a rider nobody carries gets a transaction of its own after its wait', async () => {
  const { db, ids } = await openDb();
  const started = performance.now();
  await Promise.all([
    db.ride((tx) => tx.run('INSERT INTO t (id) VALUES (?)', ['a']), 30),
    db.ride((tx) => tx.run('INSERT INTO t (id) VALUES (?)', ['b']), 30),
  ]);
  assert.ok(performance.now() - started >= 25, 'the riders waited for a host first');
  assert.deepEqual(await ids(), ['a', 'b']);
  await db.close();
});

test("a failing rider is rejected alone and leaves its host's writes in", async () => {
  const { db, ids } = await openDb();
  await db.run("INSERT INTO t (id) VALUES ('taken')");
  const failing = db.ride((tx) => tx.run('INSERT INTO t (id) VALUES (?)', ['taken']), 10_000);
  const fine = db.ride((tx) => tx.run('INSERT INTO t (id) VALUES (?)', ['fine']), 10_000);
  await db.transaction((tx) => tx.run('INSERT INTO t (id) VALUES (?)', ['host']));
  await assert.rejects(failing, /UNIQUE/);
  await fine;
  assert.deepEqual(await ids(), ['fine', 'host', 'taken']);
  await db.close();
});

test('a host that fails does not take its riders down: they commit on their own', async () => {
  const { db, ids } = await openDb();
  const ridden = db.ride((tx) => tx.run('INSERT INTO t (id) VALUES (?)', ['rider']), 10_000);
  await assert.rejects(
    db.transaction(async (tx) => {
      await tx.run("INSERT INTO t (id) VALUES ('host')");
      throw new Error('host fails');
    }),
    /host fails/,
  );
  await db.transaction((tx) => tx.run("INSERT INTO t (id) VALUES ('next')"));
  await ridden;
  assert.deepEqual(await ids(), ['next', 'rider']);
  await db.close();
});

test('a lone one-statement rider runs with no transaction; riders together still share one', async () => {
  const { db: inner, ids } = await openDb();
  let transactions = 0;
  const db = withRiders({
    ...inner,
    transaction: (fn) => {
      transactions++;
      return inner.transaction(fn);
    },
  });
  const oneStatement = { oneStatement: true };
  await db.ride((tx) => tx.run('INSERT INTO t (id) VALUES (?)', ['alone']), 5, oneStatement);
  assert.equal(transactions, 0, 'one statement, one round trip: no BEGIN and COMMIT around it');
  await assert.rejects(
    db.ride((tx) => tx.run('INSERT INTO t (id) VALUES (?)', ['alone']), 5, oneStatement),
    /UNIQUE/,
  );
  await Promise.all([
    db.ride((tx) => tx.run('INSERT INTO t (id) VALUES (?)', ['a']), 5, oneStatement),
    db.ride((tx) => tx.run('INSERT INTO t (id) VALUES (?)', ['b']), 5, oneStatement),
  ]);
  assert.equal(transactions, 1, 'two riders waiting together commit together');
  assert.deepEqual(await ids(), ['a', 'alone', 'b']);
  await db.close();
});

test('closing the database commits the riders still waiting', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'herald-riders-'));
  const path = `${dir}/riders.db`;
  const db = openSqliteDatabase(path);
  await db.run('CREATE TABLE t (id TEXT PRIMARY KEY)');
  const ridden = db.ride((tx) => tx.run('INSERT INTO t (id) VALUES (?)', ['last']), 60_000);
  await db.close();
  await ridden;
  const again = openSqliteDatabase(path);
  const rows = await again.all<{ id: string }>('SELECT id FROM t');
  assert.deepEqual(
    rows.map((r) => r.id),
    ['last'],
  );
  await again.close();
  rmSync(dir, { recursive: true, force: true });
});
