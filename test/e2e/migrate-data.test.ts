// `herald migrate-data` copies an embedded installation to PostgreSQL and back again,
// verifies the counts, and refuses a target that already holds data. The copy back is row
// for row the original: every table is read in key order on either engine (PostgreSQL has
// no rowid), in batches smaller than the tables.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { openStore, type Store } from '../../src/store/store.ts';
import { type TableRow, tableNames } from '../../src/store/transfer.ts';
import { client } from '../helpers/client.ts';
import { dropSchema, freshSchema, postgresUrl } from '../helpers/postgres.ts';
import { startReceiver } from '../helpers/receiver.ts';
import { testSecretBox } from '../helpers/secret-box.ts';
import { createTestApp } from '../helpers/test-app.ts';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');

/** Every row of every table, in key order. */
async function everyRow(store: Store): Promise<Record<string, TableRow[]>> {
  const out: Record<string, TableRow[]> = {};
  for (const table of tableNames) {
    out[table] = [];
    for await (const rows of store.transfer.rows(table, 500)) out[table].push(...rows);
  }
  return out;
}

test('an embedded installation moves to PostgreSQL whole, and back', {
  timeout: 90_000,
}, async () => {
  const t = await createTestApp();
  const receiver = await startReceiver();
  const schema = freshSchema();
  const back = mkdtempSync(join(tmpdir(), 'herald-back-'));
  try {
    const api = client(t).api;
    const app = await api<{ id: string }>('POST', '/app', { name: 'moving', uid: 'moving' });
    await api('POST', '/event-type', { name: 'a.b', description: 'x' });
    await api('POST', `/app/${app.id}/endpoint`, { url: receiver.url, filterTypes: ['a.b'] });
    for (let i = 0; i < 1200; i++)
      await api('POST', `/app/${app.id}/msg`, { eventType: 'a.b', payload: { i } });
    await t.dispatcher.runDue();
    // A Play inbox with a binary request moves too, bytes intact.
    const inbox = await t.play.createInbox(app.id, 'http://127.0.0.1:8071');
    await t.play.receive(inbox.id, {
      method: 'POST',
      path: `/play/in/${inbox.id}`,
      headers: [['content-type', 'application/octet-stream']],
      body: Buffer.from([0, 255, 1]),
    });
    const source = t.config.databaseUrl;
    const args = [
      'src/cli/main.ts',
      'migrate-data',
      '--from',
      source,
      '--to',
      postgresUrl,
      '--to-schema',
      schema,
    ];
    const env = { PATH: process.env.PATH, HERALD_LOG_LEVEL: 'silent' };
    const { stdout, stderr } = await run(process.execPath, args, { cwd: root, env });
    // 1,200 messages plus the operational event of the endpoint's creation.
    assert.match(
      stdout,
      /Copied and verified: .*applications 2.*messages 1201.*deliveries 1200.*attempts 1200.*play_inboxes 1.*play_requests 1/,
    );
    // The progress bar is for terminals: a pipe gets the result alone.
    assert.equal(stderr, '');

    const target = await openStore(postgresUrl, { schema, secretBox: testSecretBox });
    try {
      const moved = await target.messages.list(
        app.id,
        {},
        { limit: 5, iterator: null, order: 'descending' },
      );
      assert.equal(moved.data.length, 5);
      assert.equal((await target.applications.find('moving'))?.id, app.id);
      const [request] = await target.playInboxes.listRequests(inbox.id, { limit: 5 });
      assert.deepEqual([...(request?.body ?? [])], [0, 255, 1]);
    } finally {
      await target.close();
    }
    await assert.rejects(
      run(process.execPath, args, { cwd: root, env }),
      (error: { stderr: string }) => {
        assert.match(error.stderr, /the target is not empty/);
        return true;
      },
    );

    // And back from PostgreSQL to a new embedded file: the same rows, bytes included.
    const copy = `sqlite:${join(back, 'herald.db')}`;
    const backArgs = [
      'src/cli/main.ts',
      'migrate-data',
      '--from',
      postgresUrl,
      '--from-schema',
      schema,
      '--to',
      copy,
    ];
    const returned = await run(process.execPath, backArgs, { cwd: root, env });
    assert.match(
      returned.stdout,
      /Copied and verified: .*applications 2.*messages 1201.*deliveries 1200.*attempts 1200.*play_inboxes 1.*play_requests 1/,
    );
    const [original, roundTrip] = await Promise.all([
      openStore(source, { secretBox: testSecretBox }),
      openStore(copy, { secretBox: testSecretBox }),
    ]);
    try {
      assert.deepEqual(await everyRow(roundTrip), await everyRow(original));
    } finally {
      await original.close();
      await roundTrip.close();
    }
  } finally {
    await t.close();
    await receiver.close();
    await dropSchema(schema);
    rmSync(back, { recursive: true, force: true });
  }
});
