import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { openSqliteDatabase } from '../../src/store/sqlite/sqlite-database.ts';
import { openStore } from '../../src/store/store.ts';
import { type OpenStore, storeContract } from './contract.ts';
import { playInboxContract } from './play-inbox-contract.ts';

const open: OpenStore = async () => {
  const dir = mkdtempSync(join(tmpdir(), 'herald-store-'));
  const store = await openStore(`sqlite:${join(dir, 'herald.db')}`);
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
