// The SQLite database's disk fills up under a running Herald, or its directory is read-only at
// start: the API answers 503 service_unavailable (never a 500), nothing answered 503 is
// stored, nothing acknowledged is lost, and once the fault is cleared everything resumes.
// The faults are real (a tmpfs that fills, a read-only mount), see storage-faults.ts.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { heraldTestToken, startHeraldChild } from '../helpers/herald-process.ts';
import { startReceiver } from '../helpers/receiver.ts';
import { type RemoteApi, remoteApi } from '../helpers/remote-api.ts';
import { fillDisk, freeDisk, startNamespacedHerald } from '../helpers/storage-faults.ts';

const settings = {
  HERALD_ALLOWED_SUBNETS: '127.0.0.0/8',
  // Attempts whose record failed with the disk come due again when their lease ends.
  HERALD_TIMEOUT_SECONDS: '2',
  // Retries for 40 s: the acknowledged messages wait in the queue through the faults.
  HERALD_RETRY_SCHEDULE: Array(40).fill(1).join(','),
};

async function waitUntil(what: string, done: () => boolean, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${what}`);
    await sleep(50);
  }
}

async function setUp(api: RemoteApi, url: string): Promise<string> {
  const app = await api.call<{ id: string }>('POST', '/app', { name: 'storage faults' });
  assert.equal(app.status, 201, JSON.stringify(app.body));
  const endpoint = await api.call('POST', `/app/${app.body.id}/endpoint`, { url });
  assert.equal(endpoint.status, 201, JSON.stringify(endpoint.body));
  return app.body.id;
}

test('a full disk answers 503 and stores nothing; freed, everything resumes and is delivered', {
  timeout: 120_000,
}, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'herald-diskfull-'));
  const received = new Set<string>();
  let healthy = true;
  const receiver = await startReceiver((request) => {
    if (!healthy) return { status: 503 };
    received.add(String(request.headers['webhook-id']));
    return { status: 200 };
  });
  const herald = await startNamespacedHerald(dir, { tmpfsBytes: 32 * 1024 * 1024 }, settings);
  assert.ok(herald.url, `herald did not start:\n${herald.output()}`);
  const api = remoteApi(herald.url, heraldTestToken, 4);
  try {
    const appId = await setUp(api, receiver.url);
    const acknowledged: string[] = [];
    const refused: number[] = [];
    const publish = async (i: number, padding: number) => {
      const r = await api.call<{ id: string; code?: string }>('POST', `/app/${appId}/msg`, {
        eventType: 'disk.test',
        payload: { i, padding: 'x'.repeat(padding) },
      });
      if (r.status === 202) acknowledged.push(r.body.id);
      else {
        assert.equal(r.status, 503, JSON.stringify(r.body));
        assert.equal(r.body.code, 'service_unavailable');
        refused.push(i);
      }
      return r.status;
    };
    for (let i = 0; i < 50; i++) assert.equal(await publish(i, 100), 202);
    await waitUntil('the first messages are delivered', () =>
      acknowledged.every((id) => received.has(id)),
    );

    // Deliveries still retrying when the disk fills: the dispatcher writes all the while.
    healthy = false;
    let i = 50;
    while (i < 70) assert.equal(await publish(i++, 100), 202);

    const ballast = herald.inside('ballast');
    const filled = fillDisk(ballast);
    assert.ok(filled > 0);
    // SQLite reuses the room its log already has: publish until the disk says no.
    while (refused.length === 0 && i < 1070) await publish(i++, 20_000);
    assert.ok(refused.length > 0, `${i - 70} publishes on a full disk were all acknowledged`);
    // The fault holds: the next ones are refused too, with the same coded 503.
    for (let k = 0; k < 10; k++) assert.equal(await publish(i++, 20_000), 503);
    // Reading needs no room.
    const listed = await api.call<{ data: unknown[] }>('GET', `/app/${appId}/msg?limit=10`);
    assert.equal(listed.status, 200);
    // The dispatcher cannot claim either, and the readiness check says so.
    let health = await api.call<{ dispatcher: { status: string } }>('GET', '/health');
    for (let k = 0; k < 200 && health.status === 200; k++) {
      await sleep(50);
      health = await api.call('GET', '/health');
    }
    assert.equal(health.status, 503, JSON.stringify(health.body));
    assert.equal(health.body.dispatcher.status, 'ERROR');

    freeDisk(ballast);
    healthy = true;
    for (let k = 0; k < 50; k++) assert.equal(await publish(i++, 100), 202);

    await waitUntil('every acknowledged message is delivered', () =>
      acknowledged.every((id) => received.has(id)),
    );
    // Stored are exactly the acknowledged messages: nothing answered 503 was kept.
    assert.deepEqual((await api.messageIds(appId)).sort(), [...acknowledged].sort());
    health = await api.call('GET', '/health');
    for (let k = 0; k < 200 && health.status !== 200; k++) {
      await sleep(50);
      health = await api.call('GET', '/health');
    }
    assert.equal(health.status, 200, JSON.stringify(health.body));
    t.diagnostic(
      `published ${i}: ${acknowledged.length} acknowledged and delivered, ${refused.length} refused with 503 (disk full), 0 lost`,
    );
    const db = new DatabaseSync(herald.inside('herald.db'));
    try {
      assert.equal(db.prepare('PRAGMA integrity_check').get()?.integrity_check, 'ok');
    } finally {
      db.close();
    }
    assert.equal((await herald.kill('SIGTERM')).code, 0, herald.output());
    assert.doesNotMatch(herald.output(), /server_error|internal server error/);
  } finally {
    await api.close();
    await herald.kill('SIGKILL');
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

/** The database files' contents, to show a start that failed changed nothing. */
function fingerprint(dir: string): string {
  const hash = createHash('sha256');
  for (const name of ['herald.db', 'herald.db-wal']) {
    const path = join(dir, name);
    hash.update(`${name}:${existsSync(path) ? readFileSync(path).toString('base64') : '-'}\n`);
  }
  return hash.digest('hex');
}

test('a read-only data directory stops the start with a clear message and changes nothing; writable again, everything is delivered', {
  timeout: 120_000,
}, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'herald-readonly-'));
  const received = new Set<string>();
  let healthy = false;
  const receiver = await startReceiver((request) => {
    if (!healthy) return { status: 503 };
    received.add(String(request.headers['webhook-id']));
    return { status: 200 };
  });
  let herald = await startHeraldChild({ dataDir: dir, env: settings });
  let api = remoteApi(herald.url, heraldTestToken, 4);
  try {
    const appId = await setUp(api, receiver.url);
    const acknowledged: string[] = [];
    for (let i = 0; i < 20; i++) {
      const r = await api.call<{ id: string }>('POST', `/app/${appId}/msg`, {
        eventType: 'readonly.test',
        payload: { i },
      });
      assert.equal(r.status, 202);
      acknowledged.push(r.body.id);
    }
    await api.close();

    // After a crash (the log and its index left behind) and after a clean stop.
    for (const stop of ['SIGKILL', 'SIGTERM'] as const) {
      await herald.kill(stop);
      const before = fingerprint(dir);
      const readOnly = await startNamespacedHerald(dir, { readOnly: true }, settings);
      const exit = await readOnly.exited;
      assert.equal(readOnly.url, '', `herald started on a read-only directory (${stop})`);
      assert.equal(exit.code, 1, readOnly.output());
      assert.match(
        readOnly.output(),
        /cannot write the database .*herald\.db .*check that its directory is writable/,
      );
      assert.equal(fingerprint(dir), before, `the failed start changed the database (${stop})`);
      herald = await startHeraldChild({ dataDir: dir, env: settings });
    }

    api = remoteApi(herald.url, heraldTestToken, 4);
    healthy = true;
    await waitUntil('every acknowledged message is delivered', () =>
      acknowledged.every((id) => received.has(id)),
    );
    assert.deepEqual((await api.messageIds(appId)).sort(), [...acknowledged].sort());
    t.diagnostic(
      `published ${acknowledged.length}, 2 starts refused on a read-only directory, ${acknowledged.filter((id) => received.has(id)).length} delivered, 0 lost`,
    );
    assert.equal((await herald.kill('SIGTERM')).code, 0, herald.output());
  } finally {
    await api.close();
    await herald.cleanup();
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
