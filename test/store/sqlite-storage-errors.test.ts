// A SQLite database that cannot take writes (full: SQLite's own page limit here; read-only)
// fails the write with SQLite's error, which the API answers with 503 service_unavailable,
// and takes writes again once the limit is lifted. A transaction that SQLite ended itself
// must not hide that error behind a failed rollback (that was a 500).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { test } from 'node:test';
import { toHeraldError } from '../../src/api/errors.ts';
import { observeDatabase } from '../../src/store/observed-database.ts';
import { openSqliteDatabase, sqliteCapabilities } from '../../src/store/sqlite/sqlite-database.ts';
import { StoreUnavailableError } from '../../src/store/unavailable.ts';

const big = 'x'.repeat(200_000);
const insert = 'INSERT INTO settings (key, value) VALUES (?, ?)';

function assertFull(error: unknown): true {
  assert.ok(error instanceof StoreUnavailableError, String(error));
  assert.equal(error.reason, 'storage');
  assert.equal((error.cause as { errcode?: number }).errcode, 13, String(error.cause));
  const herald = toHeraldError(error);
  assert.equal(herald.status, 503);
  assert.equal(herald.code, 'service_unavailable');
  return true;
}

test('a full database fails the write with SQLITE_FULL (503), keeps nothing of it, and writes again once it has room', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'herald-full-'));
  const db = observeDatabase(openSqliteDatabase(join(dir, 'herald.db')));
  try {
    await db.migrate();
    const pages = (await db.get<{ page_count: number }>('PRAGMA page_count'))?.page_count;
    assert.ok(pages);
    await db.get(`PRAGMA max_page_count = ${pages}`);

    await assert.rejects(
      db.transaction(async (tx) => {
        await tx.run(insert, ['small', 'fits']);
        await tx.run(insert, ['big', big]);
      }),
      assertFull,
    );
    await assert.rejects(db.run(insert, ['alone', big]), assertFull);
    // A rider whose write fails in someone else's transaction: both learn the disk is full.
    const rider = db.ride((tx) => tx.run(insert, ['rider', big]), 60_000);
    const host = db.transaction((tx) => tx.get('SELECT 1'));
    await assert.rejects(rider, assertFull);
    await host.catch(assertFull);

    await db.get(`PRAGMA max_page_count = ${pages * 100}`);
    await db.transaction((tx) => tx.run(insert, ['after', big]));
    const keys = await db.all<{ key: string }>(
      "SELECT key FROM settings WHERE key IN ('small', 'big', 'alone', 'rider', 'after')",
    );
    assert.deepEqual(
      keys.map((k) => k.key),
      ['after'],
    );
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a write to a read-only database fails with SQLITE_READONLY, answered 503', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'herald-readonly-'));
  const path = join(dir, 'herald.db');
  const db = openSqliteDatabase(path);
  await db.migrate();
  const reader = new DatabaseSync(path, { readOnly: true });
  try {
    assert.throws(
      () => reader.prepare(insert).run('k', 'v'),
      (error: unknown) => {
        assert.equal(((error as { errcode?: number }).errcode ?? 0) & 0xff, 8, String(error));
        assert.equal(sqliteCapabilities.unavailable(error), 'storage');
        const herald = toHeraldError(new StoreUnavailableError(error, 'storage'));
        assert.equal(herald.status, 503);
        assert.equal(herald.code, 'service_unavailable');
        return true;
      },
    );
    // Other SQLite errors stay what they are: a bug is a 500, not a 503 to retry.
    assert.throws(
      () => reader.prepare('SELECT * FROM no_such_table').all(),
      (error: unknown) =>
        sqliteCapabilities.unavailable(error) === null &&
        toHeraldError(error as Error).status === 500,
    );
  } finally {
    reader.close();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
