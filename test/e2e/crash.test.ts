// A real `herald serve` is killed with SIGKILL while it delivers a few thousand messages;
// after a restart every acknowledged message arrives at least once, and only attempts that
// were in flight arrive twice.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import { startHerald } from '../helpers/herald-process.ts';
import { startReceiver } from '../helpers/receiver.ts';

const token = 'crash_test_admin_token_0123456789';
const total = 3000;

test('nothing acknowledged is lost when the process is killed mid-delivery', {
  timeout: 120_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'herald-crash-'));
  const received = new Map<string, number>();
  const receiver = await startReceiver((request) => {
    const id = String(request.headers['webhook-id']);
    received.set(id, (received.get(id) ?? 0) + 1);
    // A receiver slower than publishing, so deliveries are in flight and queued at the kill.
    return { status: 200, delayMs: 20 };
  });
  const env = {
    HERALD_DATA_DIR: dir,
    HERALD_DATABASE_URL: `sqlite:${join(dir, 'herald.db')}`,
    HERALD_ADMIN_TOKEN: token,
    HERALD_ALLOWED_SUBNETS: '127.0.0.0/8',
  };
  let herald = await startHerald(env);
  const pool = new Pool(herald.url, { connections: 8 });
  const post = async (path: string, body: unknown) => {
    const response = await pool.request({
      method: 'POST',
      path: `/api/v1${path}`,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.statusCode, body: (await response.body.json()) as { id: string } };
  };
  try {
    const app = await post('/app', { name: 'crash' });
    assert.equal(app.status, 201);
    assert.equal((await post(`/app/${app.body.id}/endpoint`, { url: receiver.url })).status, 201);

    const acknowledged: string[] = [];
    // Until the kill every publish must be accepted; after it, only a dead connection may end one.
    const unexpected: string[] = [];
    let next = 0;
    let killed = false;
    const publisher = async () => {
      while (next < total && !killed) {
        const i = next++;
        try {
          const r = await post(`/app/${app.body.id}/msg`, {
            eventType: 'load.test',
            payload: { i },
          });
          if (r.status === 202) acknowledged.push(r.body.id);
          else unexpected.push(`message ${i}: ${r.status} ${JSON.stringify(r.body)}`);
        } catch (error) {
          // The server died under this request: it was never acknowledged.
          if (!killed) unexpected.push(`message ${i} before the kill: ${String(error)}`);
          return;
        }
      }
    };
    const publishers = Array.from({ length: 8 }, publisher);
    // Kill it once a good part is acknowledged and deliveries are under way.
    const deadline = Date.now() + 60_000;
    while (acknowledged.length < total / 2 && Date.now() < deadline) await sleep(10);
    assert.ok(received.size > 0, 'deliveries were under way before the kill');
    killed = true;
    await herald.kill('SIGKILL');
    await Promise.all(publishers);
    await pool.destroy();
    assert.deepEqual(unexpected, [], 'every publish before the kill was accepted');
    const deliveredBeforeCrash = received.size;
    assert.ok(deliveredBeforeCrash < acknowledged.length, 'the kill interrupted delivery');

    herald = await startHerald(env);
    const until = Date.now() + 60_000;
    while (acknowledged.some((id) => !received.has(id)) && Date.now() < until) await sleep(50);
    const missing = acknowledged.filter((id) => !received.has(id));
    assert.deepEqual(missing, [], `${missing.length} acknowledged messages never arrived`);
    const duplicates = [...received.values()].filter((n) => n > 1).length;
    // Only attempts in flight at the kill may repeat: at most one batch in flight (256).
    assert.ok(duplicates <= 256, `${duplicates} messages arrived twice`);
    assert.equal(await herald.kill('SIGTERM'), 0);
  } finally {
    if (!pool.destroyed) await pool.destroy();
    await herald.kill('SIGKILL');
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
