// Three `herald serve` processes on one PostgreSQL schema: messages published through
// different nodes are all delivered, one node is killed with SIGKILL mid-run, and only the
// attempts it had in flight may arrive twice.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import { type HeraldProcess, startHerald } from '../helpers/herald-process.ts';
import { dropSchema, freshSchema, postgresUrl } from '../helpers/postgres.ts';
import { startReceiver } from '../helpers/receiver.ts';

const token = 'multi_node_admin_token_0123456789';
const total = 3000;

test('several nodes on PostgreSQL deliver every message; a killed node loses nothing', {
  timeout: 180_000,
}, async () => {
  const schema = freshSchema();
  const dir = mkdtempSync(join(tmpdir(), 'herald-nodes-'));
  const received = new Map<string, number>();
  const receiver = await startReceiver((request) => {
    const id = String(request.headers['webhook-id']);
    received.set(id, (received.get(id) ?? 0) + 1);
    return { status: 200 };
  });
  const env = {
    HERALD_DATA_DIR: dir,
    HERALD_DATABASE_URL: postgresUrl,
    HERALD_DATABASE_SCHEMA: schema,
    HERALD_ADMIN_TOKEN: token,
    HERALD_ALLOWED_SUBNETS: '127.0.0.0/8',
    HERALD_TIMEOUT_SECONDS: '2',
  };
  const nodes: HeraldProcess[] = [];
  const pools: Pool[] = [];
  try {
    // All three start (and migrate) at once.
    const started = await Promise.allSettled([
      startHerald(env),
      startHerald(env),
      startHerald(env),
    ]);
    for (const node of started) if (node.status === 'fulfilled') nodes.push(node.value);
    for (const node of started) if (node.status === 'rejected') throw node.reason;
    for (const node of nodes) pools.push(new Pool(node.url, { connections: 4 }));
    const post = async (pool: Pool, path: string, body: unknown) => {
      const response = await pool.request({
        method: 'POST',
        path: `/api/v1${path}`,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: response.statusCode, body: (await response.body.json()) as { id: string } };
    };
    const first = pools[0] as Pool;
    const app = await post(first, '/app', { name: 'nodes' });
    assert.equal(app.status, 201);
    assert.equal(
      (await post(first, `/app/${app.body.id}/endpoint`, { url: receiver.url })).status,
      201,
    );

    const acknowledged: string[] = [];
    // Every publish must be accepted, except one the killed node had in hand when it died.
    const unexpected: string[] = [];
    let next = 0;
    const killed = new Set<number>();
    const publisher = async (worker: number) => {
      while (next < total) {
        const node = (next + worker) % 3;
        if (killed.has(node)) {
          next++;
          continue;
        }
        const i = next++;
        try {
          const r = await post(pools[node] as Pool, `/app/${app.body.id}/msg`, {
            eventType: 'load.test',
            payload: { i },
          });
          if (r.status === 202) acknowledged.push(r.body.id);
          else
            unexpected.push(`message ${i} on node ${node}: ${r.status} ${JSON.stringify(r.body)}`);
        } catch (error) {
          // A node killed under this request never acknowledged it; any other failure counts.
          if (!killed.has(node)) unexpected.push(`message ${i} on node ${node}: ${String(error)}`);
        }
      }
    };
    const publishers = Array.from({ length: 6 }, (_, w) => publisher(w));
    const deadline = Date.now() + 60_000;
    while (acknowledged.length < total / 3 && Date.now() < deadline) await sleep(10);
    assert.ok(received.size > 0, 'deliveries were under way');
    killed.add(2);
    await nodes[2]?.kill('SIGKILL');
    await Promise.all(publishers);
    assert.deepEqual(unexpected, [], 'every publish the nodes answered was accepted');
    assert.ok(acknowledged.length > total / 2);

    const until = Date.now() + 90_000;
    while (acknowledged.some((id) => !received.has(id)) && Date.now() < until) await sleep(100);
    const missing = acknowledged.filter((id) => !received.has(id));
    assert.deepEqual(missing, [], `${missing.length} acknowledged messages never arrived`);
    const twice = [...received.values()].filter((n) => n > 1).length;
    // Only what the killed node had claimed may repeat: at most its in-flight capacity.
    assert.ok(twice <= 256, `${twice} messages arrived more than once`);
  } finally {
    for (const pool of pools) await pool.destroy();
    for (const node of nodes) await node.kill('SIGKILL');
    await receiver.close();
    await dropSchema(schema);
    rmSync(dir, { recursive: true, force: true });
  }
});
