import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { openSqliteDatabase } from '../../src/store/sqlite/sqlite-database.ts';
import { openStore } from '../../src/store/store.ts';
import { testSecretBox } from '../helpers/secret-box.ts';
import { type OpenStore, storeContract } from './contract.ts';
import { playInboxContract } from './play-inbox-contract.ts';

const open: OpenStore = async () => {
  const dir = mkdtempSync(join(tmpdir(), 'herald-store-'));
  const store = await openStore(`sqlite:${join(dir, 'herald.db')}`, { secretBox: testSecretBox });
  return {
    store,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
};
storeContract('SQLite', open);
playInboxContract('SQLite', open);

test('WAL checkpoints run in the background: committed rows reach the main database file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'herald-store-'));
  const path = join(dir, 'herald.db');
  const db = openSqliteDatabase(path);
  try {
    await db.migrate();
    await db.run("INSERT INTO settings (key, value) VALUES ('checkpoint-probe', 'x')");
    // The main file alone (no -wal beside it) only holds what a checkpoint has copied there.
    const copy = join(dir, 'copy.db');
    const probe = () => {
      copyFileSync(path, copy);
      const reader = new DatabaseSync(copy, { readOnly: true });
      try {
        const tables = reader
          .prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'settings'")
          .get();
        if (tables?.n !== 1) return 0;
        return reader
          .prepare("SELECT count(*) AS n FROM settings WHERE key = 'checkpoint-probe'")
          .get()?.n;
      } finally {
        reader.close();
      }
    };
    const deadline = Date.now() + 5000;
    while (probe() !== 1 && Date.now() < deadline) await sleep(100);
    assert.equal(probe(), 1);
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a write resolves only once its log is synced; concurrent writes share syncs', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'herald-store-'));
  const gates: (() => void)[] = [];
  const db = openSqliteDatabase(join(dir, 'herald.db'), {
    synchronous: 'full',
    syncFile: () => new Promise<void>((resolve) => gates.push(resolve)),
  });
  const tracked = (promise: Promise<unknown>) => {
    const state = { done: false, promise };
    promise.then(() => {
      state.done = true;
    });
    return state;
  };
  const until = async (condition: () => boolean) => {
    const deadline = Date.now() + 5000;
    while (!condition()) {
      assert.ok(Date.now() < deadline, 'timed out');
      await sleep(5);
    }
  };
  const insert = (key: string) =>
    db.run('INSERT INTO settings (key, value) VALUES (?, ?)', [key, 'x']);
  try {
    await db.migrate();
    const first = tracked(insert('a'));
    await until(() => gates.length === 1);
    // Two writes while the first sync runs: they wait for one more sync, together.
    const second = tracked(insert('b'));
    const third = tracked(
      db.transaction((tx) => tx.run("INSERT INTO settings (key, value) VALUES ('c', 'x')")),
    );
    await sleep(20);
    assert.equal(first.done, false, 'not acknowledged before its sync');
    assert.equal(gates.length, 1, 'no second sync while the first runs');
    gates[0]?.();
    await first.promise;
    await until(() => gates.length === 2);
    assert.equal(second.done || third.done, false, 'later writes wait for the next sync');
    gates[1]?.();
    await Promise.all([second.promise, third.promise]);
    assert.equal(gates.length, 2, 'one sync for both later writes');
  } finally {
    for (const open of gates) open();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('with synchronous normal, writes do not wait for a sync', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'herald-store-'));
  let syncs = 0;
  const db = openSqliteDatabase(join(dir, 'herald.db'), {
    synchronous: 'normal',
    syncFile: async () => {
      syncs++;
    },
  });
  try {
    await db.migrate();
    await db.run("INSERT INTO settings (key, value) VALUES ('n', 'x')");
    await db.transaction((tx) => tx.run("INSERT INTO settings (key, value) VALUES ('m', 'x')"));
    assert.equal(syncs, 0);
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
