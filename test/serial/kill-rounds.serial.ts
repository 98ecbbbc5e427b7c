// `herald serve` is killed with SIGKILL again and again, in turn while messages are being
// published and while they are being delivered, on SQLite and on PostgreSQL. After the last
// restart every acknowledged message has arrived, and so has every message that was stored
// at all (one whose answer the kill cut off): a publish and its deliveries are one
// transaction. Only attempts in flight at a kill may arrive twice. Runs alone (it loads the
// machine): `npm run test:serial`.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { heraldTestToken, startHerald } from '../helpers/herald-process.ts';
import { dropSchema, freshSchema, postgresUrl } from '../helpers/postgres.ts';
import { startReceiver } from '../helpers/receiver.ts';
import { remoteApi } from '../helpers/remote-api.ts';

const rounds = 6;
const perRound = 600;
const publishers = 8;
/** At most one dispatcher batch is in flight at a kill. */
const inFlightAtMost = 256;

for (const store of ['sqlite', 'postgres'] as const) {
  test(`SIGKILL ${rounds} times, during publishing and during delivery: nothing stored is lost (${store})`, {
    timeout: 170_000,
  }, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'herald-kills-'));
    const schema = freshSchema();
    const env: Record<string, string> = {
      HERALD_DATA_DIR: dir,
      HERALD_ADMIN_TOKEN: heraldTestToken,
      HERALD_ALLOWED_SUBNETS: '127.0.0.0/8',
      // Leases end 14 s after a claim: deliveries a killed node held on PostgreSQL come due
      // again within the test (SQLite releases them at start: one process owns the file).
      HERALD_TIMEOUT_SECONDS: '2',
      ...(store === 'sqlite'
        ? { HERALD_DATABASE_URL: `sqlite:${join(dir, 'herald.db')}` }
        : { HERALD_DATABASE_URL: postgresUrl, HERALD_DATABASE_SCHEMA: schema }),
    };
    const received = new Map<string, number>();
    const receiver = await startReceiver((request) => {
      const id = String(request.headers['webhook-id']);
      received.set(id, (received.get(id) ?? 0) + 1);
      // Slower than publishing, so deliveries are in flight and queued at each kill.
      return { status: 200, delayMs: 5 };
    });
    let herald = await startHerald(env);
    let api = remoteApi(herald.url, heraldTestToken, publishers);
    const acknowledged = new Set<string>();
    let unanswered = 0;
    try {
      const app = await api.call<{ id: string }>('POST', '/app', { name: `kills ${store}` });
      assert.equal(app.status, 201);
      const endpoint = await api.call('POST', `/app/${app.body.id}/endpoint`, {
        url: receiver.url,
      });
      assert.equal(endpoint.status, 201);

      for (let round = 0; round < rounds; round++) {
        const during = round % 2 === 0 ? 'publishing' : 'delivery';
        const ackedThisRound: string[] = [];
        let next = 0;
        let killed = false;
        const publisher = async () => {
          while (next < perRound && !killed) {
            const i = next++;
            try {
              const r = await api.call<{ id: string }>('POST', `/app/${app.body.id}/msg`, {
                eventType: 'kill.test',
                payload: { round, i },
              });
              assert.equal(r.status, 202, JSON.stringify(r.body));
              acknowledged.add(r.body.id);
              ackedThisRound.push(r.body.id);
            } catch (error) {
              if (!killed) throw error;
              unanswered++; // cut off by the kill: maybe stored, never acknowledged
              return;
            }
          }
        };
        const running = Promise.all(Array.from({ length: publishers }, publisher));
        const deadline = Date.now() + 30_000;
        if (during === 'publishing') {
          // Somewhere in the middle of the round's publishing.
          const at = perRound * (0.2 + 0.6 * Math.random());
          while (ackedThisRound.length < at && Date.now() < deadline) await sleep(2);
          assert.ok(next < perRound, 'publishing was still under way at the kill');
        } else {
          await running;
          // Once some of the round's messages arrived, and before all of them did.
          const at = perRound * (0.1 + 0.5 * Math.random());
          const arrived = () => ackedThisRound.filter((id) => received.has(id)).length;
          while (arrived() < at && Date.now() < deadline) await sleep(2);
          assert.ok(arrived() < perRound, 'delivery was still under way at the kill');
        }
        killed = true;
        await herald.kill('SIGKILL');
        await running;
        await api.close();
        herald = await startHerald(env);
        api = remoteApi(herald.url, heraldTestToken, publishers);
      }

      const until = Date.now() + 60_000;
      const missing = () => [...acknowledged].filter((id) => !received.has(id));
      while (missing().length > 0 && Date.now() < until) await sleep(50);
      assert.deepEqual(missing(), [], `${missing().length} acknowledged messages never arrived`);
      // Stored but never acknowledged (the answer was cut off) must arrive as well.
      const stored = await api.messageIds(app.body.id);
      const storedSet = new Set(stored);
      assert.deepEqual(
        [...acknowledged].filter((id) => !storedSet.has(id)),
        [],
        'acknowledged messages missing from the store',
      );
      const whileWaiting = Date.now() + 30_000;
      const notArrived = () => stored.filter((id) => !received.has(id));
      while (notArrived().length > 0 && Date.now() < whileWaiting) await sleep(50);
      assert.deepEqual(notArrived(), [], 'stored messages never delivered');
      assert.deepEqual(
        [...received.keys()].filter((id) => !storedSet.has(id)),
        [],
        'a message arrived that is not stored',
      );
      const twice = [...received.values()].filter((n) => n > 1).length;
      assert.ok(twice <= rounds * inFlightAtMost, `${twice} messages arrived more than once`);
      assert.equal(await herald.kill('SIGTERM'), 0, herald.output());
      if (store === 'sqlite') {
        const db = new DatabaseSync(join(dir, 'herald.db'));
        try {
          assert.equal(db.prepare('PRAGMA integrity_check').get()?.integrity_check, 'ok');
          assert.deepEqual(db.prepare('PRAGMA foreign_key_check').all(), []);
        } finally {
          db.close();
        }
      }
      t.diagnostic(
        `${store}: ${rounds} kills; ${acknowledged.size + unanswered} publishes, ${acknowledged.size} acknowledged, ${stored.length - acknowledged.size} stored without an answer, ${stored.length} delivered, 0 lost, ${twice} delivered twice`,
      );
    } finally {
      await api.close();
      await herald.kill('SIGKILL');
      await receiver.close();
      if (store === 'postgres') await dropSchema(schema);
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
