// PostgreSQL restarts under load: meanwhile the API answers 503 service_unavailable, workers
// back off and resume, and every acknowledged message is delivered. Runs alone (it restarts
// the server every other PostgreSQL test uses): `npm run test:serial`.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { Pool } from 'undici';
import { startHerald } from '../helpers/herald-process.ts';
import { dropSchema, freshSchema, postgresUrl } from '../helpers/postgres.ts';
import { startReceiver } from '../helpers/receiver.ts';

const token = 'restart_admin_token_0123456789';

/** Restarts the local cluster without blocking the publishers, who keep going meanwhile. */
async function restartPostgres(): Promise<void> {
  const version = readdirSync('/etc/postgresql')[0];
  assert.ok(version, 'a local PostgreSQL cluster');
  await promisify(execFile)('pg_ctlcluster', [
    '--skip-systemctl-redirect',
    version,
    'main',
    'restart',
  ]);
}

test('nothing acknowledged is lost when PostgreSQL restarts under load', {
  timeout: 180_000,
}, async () => {
  const schema = freshSchema();
  const dir = mkdtempSync(join(tmpdir(), 'herald-pgrestart-'));
  const received = new Set<string>();
  const receiver = await startReceiver((request) => {
    received.add(String(request.headers['webhook-id']));
    return { status: 200 };
  });
  const herald = await startHerald({
    HERALD_DATA_DIR: dir,
    HERALD_DATABASE_URL: postgresUrl,
    HERALD_DATABASE_SCHEMA: schema,
    HERALD_ADMIN_TOKEN: token,
    HERALD_ALLOWED_SUBNETS: '127.0.0.0/8',
  });
  const pool = new Pool(herald.url, { connections: 4 });
  const post = async (path: string, body: unknown) => {
    const response = await pool.request({
      method: 'POST',
      path: `/api/v1${path}`,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return {
      status: response.statusCode,
      body: (await response.body.json()) as { id: string; code?: string },
    };
  };
  const acknowledged: string[] = [];
  const codes = new Map<number, number>();
  // Herald stays up throughout: every answer is a 202, or a 503 service_unavailable while
  // the database is away. Anything else (a 500, a dropped connection) is listed here.
  const unexpected: string[] = [];
  let stop = false;
  try {
    const app = await post('/app', { name: 'restart' });
    assert.equal(app.status, 201);
    assert.equal((await post(`/app/${app.body.id}/endpoint`, { url: receiver.url })).status, 201);
    const publisher = async () => {
      for (let i = 0; !stop && i < 20_000; i++) {
        let r: Awaited<ReturnType<typeof post>>;
        try {
          r = await post(`/app/${app.body.id}/msg`, { eventType: 'load.test', payload: { i } });
        } catch (error) {
          unexpected.push(`message ${i}: ${String(error)}`);
          await sleep(50);
          continue;
        }
        codes.set(r.status, (codes.get(r.status) ?? 0) + 1);
        if (r.status === 202) acknowledged.push(r.body.id);
        else {
          if (r.status !== 503 || r.body.code !== 'service_unavailable')
            unexpected.push(`message ${i}: ${r.status} ${JSON.stringify(r.body)}`);
          await sleep(50);
        }
      }
    };
    const publishers = Array.from({ length: 4 }, publisher);
    const startBy = Date.now() + 30_000;
    while (acknowledged.length < 300 && unexpected.length === 0 && Date.now() < startBy)
      await sleep(10);
    assert.ok(acknowledged.length >= 300, `publishing started: ${unexpected.join('\n')}`);
    await restartPostgres();
    const before = acknowledged.length;
    const deadline = Date.now() + 60_000;
    while (acknowledged.length < before + 300 && Date.now() < deadline) await sleep(50);
    stop = true;
    await Promise.all(publishers);
    assert.deepEqual(unexpected, [], 'every answer was a 202 or a 503 service_unavailable');
    assert.ok(
      acknowledged.length >= before + 300,
      `publishing resumed after the restart: ${JSON.stringify([...codes])}\n${herald.output().slice(-3000)}`,
    );
    assert.ok(
      (codes.get(503) ?? 0) > 0,
      `the API answered 503 while the database was down: ${JSON.stringify([...codes])}`,
    );

    const until = Date.now() + 60_000;
    while (acknowledged.some((id) => !received.has(id)) && Date.now() < until) await sleep(100);
    const missing = acknowledged.filter((id) => !received.has(id));
    assert.deepEqual(missing, [], `${missing.length} acknowledged messages never arrived`);
  } finally {
    stop = true;
    await pool.destroy();
    await herald.kill('SIGKILL');
    await receiver.close();
    await dropSchema(schema).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
});
