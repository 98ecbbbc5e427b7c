// The PostgreSQL adapter itself, on the machine's server (never skipped: an unreachable
// server fails): positional parameters, numbers, transactions, the schema setting, migrations
// started by several nodes at once, SKIP LOCKED claims from two pools, concurrent idempotency
// claims, LISTEN/NOTIFY between two connections sets, and plans that stay right as tables grow.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { systemRandom } from '../../src/domain/clock.ts';
import { createIdGenerator } from '../../src/domain/ids.ts';
import { MessageStatus, TriggerType } from '../../src/domain/message.ts';
import type { Database } from '../../src/store/database.ts';
import { observeDatabase } from '../../src/store/observed-database.ts';
import {
  notifyChannel,
  openPostgresDatabase,
  toPositional,
} from '../../src/store/postgres/postgres-database.ts';
import type { AttemptRecord } from '../../src/store/queue.ts';
import { jsonBatchRecordNames, loadStatements } from '../../src/store/sql/statements.ts';
import { createStore, type Store } from '../../src/store/store.ts';
import { StoreUnavailableError } from '../../src/store/unavailable.ts';
import { endpointRecord } from '../helpers/fixtures.ts';
import { dropSchema, freshSchema, postgresUrl } from '../helpers/postgres.ts';
import { testSecretBox } from '../helpers/secret-box.ts';

const t0 = Date.parse('2026-03-01T00:00:00Z');

test('`?` placeholders become $1..$n, but not inside quoted text', () => {
  assert.equal(toPositional('SELECT ? , ?'), 'SELECT $1 , $2');
  assert.equal(
    toPositional("SELECT '?' AS q, ? AS a WHERE x LIKE ? ESCAPE '\\'"),
    "SELECT '?' AS q, $1 AS a WHERE x LIKE $2 ESCAPE '\\'",
  );
  assert.equal(toPositional("SELECT 'it''s?', ?"), "SELECT 'it''s?', $1");
});

/** Every migration of the dialect, in the order they apply. */
const migrationFiles = readdirSync(
  join(import.meta.dirname, '..', '..', 'src', 'store', 'migrations', 'postgres'),
)
  .filter((f) => f.endsWith('.sql'))
  .sort();

describe('PostgreSQL adapter', () => {
  const schema = freshSchema();
  let a: Store;
  let b: Store;
  let dbA: Database;
  let dbB: Database;
  let now = t0;
  const newId = createIdGenerator({ now: () => now }, systemRandom);

  before(async () => {
    // Two stores on one schema stand for two nodes; several nodes migrate at once.
    const extra = Array.from({ length: 3 }, () => openPostgresDatabase(postgresUrl, { schema }));
    const applied = await Promise.all(extra.map((db) => db.migrate()));
    await Promise.all(extra.map((db) => db.close()));
    assert.deepEqual(
      applied.filter((names) => names.length > 0),
      [migrationFiles],
      'exactly one node applies the migrations',
    );
    // The adapters under the two stores, to test what they do below the store's methods.
    [dbA, dbB] = [
      openPostgresDatabase(postgresUrl, { schema }),
      openPostgresDatabase(postgresUrl, { schema }),
    ];
    a = createStore(dbA, testSecretBox);
    b = createStore(dbB, testSecretBox);
  });
  after(async () => {
    await a?.close();
    await b?.close();
    await dropSchema(schema);
  });

  test('declares its capabilities', () => {
    const { capabilities } = dbA;
    assert.equal(capabilities.dialect, 'postgres');
    assert.equal(capabilities.singleProcess, false);
  });

  test('a server out of reach fails with StoreUnavailableError (the API answers 503)', async () => {
    // Nothing listens on the discard port of this machine.
    const db = observeDatabase(openPostgresDatabase('postgres://127.0.0.1:9/test', { schema }));
    try {
      await assert.rejects(db.get('SELECT 1'), StoreUnavailableError);
      await assert.rejects(
        db.transaction((tx) => tx.run('SELECT 1')),
        StoreUnavailableError,
      );
    } finally {
      await db.close();
    }
  });

  test('tables live in the configured schema', async () => {
    const tables = await dbA.all<{ table_name: string }>(
      'SELECT table_name FROM information_schema.tables WHERE table_schema = ? ORDER BY table_name',
      [schema],
    );
    const names = tables.map((t) => t.table_name);
    for (const name of ['applications', 'endpoints', 'messages', 'deliveries', 'attempts'])
      assert.ok(names.includes(name), `${name} in ${schema}`);
    assert.ok(names.includes('herald_migrations'));
  });

  test('BIGINT, counts and NUMERIC come back as numbers', async () => {
    const row = await dbA.get<{ big: unknown; n: unknown; num: unknown; text: unknown }>(
      'SELECT ?::bigint AS big, COUNT(*) AS n, 1.5::numeric AS num, ? AS text FROM herald_migrations',
      [t0 * 1000, 'x'],
    );
    assert.deepEqual(row, { big: t0 * 1000, n: migrationFiles.length, num: 1.5, text: 'x' });
  });

  test('a statement run again and again is prepared once per connection and keeps its answers right', async () => {
    await dbA.transaction(async (tx) => {
      for (let i = 0; i < 6; i++) {
        const row = await tx.get<{ n: number; s: string }>('SELECT ?::int + 1 AS n, ? AS s', [
          i,
          `v${i}`,
        ]);
        assert.deepEqual(row, { n: i + 1, s: `v${i}` });
      }
      const prepared = await tx.all<{ statement: string }>(
        "SELECT statement FROM pg_prepared_statements WHERE name LIKE 'herald\\_%'",
      );
      assert.ok(
        prepared.some((p) => p.statement === 'SELECT $1::int + 1 AS n, $2 AS s'),
        JSON.stringify(prepared),
      );
    });
  });

  test('a prepared SELECT * keeps working after another node adds a column to its table', async () => {
    await dbA.run('CREATE TABLE plan_probe (a INTEGER)');
    await dbA.run('INSERT INTO plan_probe (a) VALUES (1)');
    const read = () => dbA.all('SELECT * FROM plan_probe WHERE a = ?', [1]);
    for (let i = 0; i < 4; i++) assert.deepEqual(await read(), [{ a: 1 }]);
    // What a newer node's migration does while this one runs.
    await dbB.run('ALTER TABLE plan_probe ADD COLUMN b INTEGER');
    assert.deepEqual(await read(), [{ a: 1, b: null }]);
    assert.deepEqual(await read(), [{ a: 1, b: null }]);
  });

  test('a transaction commits on success and rolls back on error', async () => {
    await dbA.transaction(async (tx) => {
      await tx.run('INSERT INTO settings (key, value) VALUES (?, ?)', ['committed', '1']);
    });
    await assert.rejects(
      dbA.transaction(async (tx) => {
        await tx.run('INSERT INTO settings (key, value) VALUES (?, ?)', ['rolled-back', '1']);
        assert.equal(
          (
            await tx.get<{ n: number }>('SELECT COUNT(*) AS n FROM settings WHERE key = ?', [
              'rolled-back',
            ])
          )?.n,
          1,
          'visible inside the transaction',
        );
        throw new Error('boom');
      }),
      /boom/,
    );
    const keys = (await dbB.all<{ key: string }>('SELECT key FROM settings ORDER BY key')).map(
      (r) => r.key,
    );
    assert.ok(keys.includes('committed'));
    assert.ok(!keys.includes('rolled-back'));
  });

  test('unique violations are recognised (23505)', async () => {
    const error = await dbA
      .run('INSERT INTO settings (key, value) VALUES (?, ?)', ['committed', '2'])
      .then(
        () => null,
        (e: unknown) => e,
      );
    assert.ok(error);
    assert.equal(dbA.capabilities.isUniqueViolation(error), true);
    assert.equal(dbA.capabilities.isUniqueViolation(new Error('other')), false);
  });

  test('two nodes claiming one queue at once never claim the same delivery', async () => {
    const app = await a.applications.create({
      id: newId('application'),
      uid: null,
      name: 'claims',
      rateLimit: null,
      metadata: {},
      policy: null,
      createdAt: now,
      updatedAt: now,
    });
    await a.endpoints.create(
      endpointRecord({ id: newId('endpoint'), appId: app.id, createdAt: now }),
    );
    const total = 500;
    await Promise.all(
      Array.from({ length: total }, (_, i) =>
        a.messages.publish({
          id: newId('message'),
          appId: app.id,
          eventId: null,
          eventType: 'claim.test',
          payload: JSON.stringify({ i }),
          channels: null,
          tags: null,
          createdAt: now,
          deliverAt: null,
        }),
      ),
    );
    now += 1000;
    const claimed: string[] = [];
    // Eight claimers per node, each taking small batches until the queue is empty.
    const claimer = async (store: Store) => {
      for (;;) {
        const batch = await store.queue.claim(now, now + 60_000, 7);
        if (batch.length === 0) return;
        claimed.push(...batch.map((d) => d.msgId));
      }
    };
    await Promise.all([a, b].flatMap((store) => Array.from({ length: 8 }, () => claimer(store))));
    assert.equal(claimed.length, total, 'every delivery claimed once');
    assert.equal(new Set(claimed).size, total, 'no delivery claimed twice');
    assert.deepEqual(await a.queue.claim(now, now + 60_000, 10), [], 'all leased');
  });

  test('concurrent idempotency claims of one key: one wins, the others see it in progress', async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        (i % 2 ? a : b).idempotency.claim('key-hash-1', now, now + 60_000),
      ),
    );
    assert.equal(results.filter((r) => r.state === 'claimed').length, 1);
    assert.equal(results.filter((r) => r.state === 'in-progress').length, 9);
  });

  /** LISTEN is set up in the background: node A notifies until node B has heard it. */
  const untilHeard = async (heard: () => number) => {
    const deadline = Date.now() + 5000;
    while (heard() === 0 && Date.now() < deadline) {
      await dbA.notify();
      await sleep(50);
    }
    assert.ok(heard() > 0, "node B heard node A's notification");
  };

  test('a notification from one node reaches the listeners of another', async () => {
    let heard = 0;
    const unsubscribe = dbB.onNotify(() => {
      heard++;
    });
    try {
      await untilHeard(() => heard);
    } finally {
      unsubscribe();
    }
  });

  test("another installation's notifications (another schema) wake no one here", async () => {
    const other = openPostgresDatabase(postgresUrl, { schema: `${schema}_other` });
    let heard = 0;
    const unsubscribe = dbB.onNotify(() => {
      heard++;
    });
    try {
      await untilHeard(() => heard);
      await sleep(100);
      const before = heard;
      // Notifications arrive in commit order: had the other schema's woken it, they would
      // have come before this schema's next one.
      for (let i = 0; i < 20; i++) await other.notify();
      await dbA.notify();
      const until = Date.now() + 5000;
      while (heard === before && Date.now() < until) await sleep(20);
      await sleep(100);
      assert.equal(heard - before, 1, 'only its own notification woke it');
    } finally {
      unsubscribe();
      await other.close();
    }
  });

  test('notifications sent at the same time share NOTIFYs and all resolve', async () => {
    // One connection, so every NOTIFY it sends carries its backend's pid; a listener of our
    // own counts them (other files may notify on the same channel meanwhile).
    const db = openPostgresDatabase(postgresUrl, { schema, max: 1 });
    const listener = new pg.Client({ connectionString: postgresUrl });
    try {
      const pid = (await db.get<{ pid: number }>('SELECT pg_backend_pid() AS pid'))?.pid;
      await listener.connect();
      const heard: string[] = [];
      listener.on('notification', (n) => {
        if (n.processId === pid && n.channel === notifyChannel(schema)) heard.push(n.payload ?? '');
      });
      await listener.query(`LISTEN "${notifyChannel(schema)}"`);
      // Notifications arrive in commit order: a marker sent after the calls resolved comes
      // after every NOTIFY they sent.
      const mark = async (name: string) => {
        await db.get('SELECT pg_notify(?, ?)', [notifyChannel(schema), name]);
        const deadline = Date.now() + 5000;
        while (!heard.includes(name) && Date.now() < deadline) await sleep(20);
        assert.ok(heard.includes(name), `the marker ${name} arrived`);
        return heard.indexOf(name);
      };
      await Promise.all(Array.from({ length: 200 }, () => db.notify()));
      const together = await mark('after 200 calls');
      // One in flight, and one sent after it for every call made meanwhile.
      assert.ok(together >= 1 && together <= 2, `200 calls sent ${together} NOTIFYs`);
      // A call made once those are done sends a NOTIFY of its own.
      await db.notify();
      assert.equal((await mark('after 1 call')) - together - 1, 1);
    } finally {
      await listener.end();
      await db.close();
    }
  });

  test('ping answers true; a closed or unreachable database answers false', async () => {
    assert.equal(await dbA.ping(), true);
    const unreachable: Database = openPostgresDatabase('postgres://postgres@127.0.0.1:1/test');
    try {
      assert.equal(await unreachable.ping(), false);
    } finally {
      await unreachable.close();
    }
  });

  test('a schema name that is not a plain identifier is refused', () => {
    assert.throws(() => openPostgresDatabase(postgresUrl, { schema: 'x"; DROP' }), /schema/);
  });
});

test('recording attempts finds its deliveries by index, even where plans were first made on an empty table', async () => {
  const schema = freshSchema();
  // One connection: every statement, and the plan cache it keeps, lives on it.
  const db = openPostgresDatabase(postgresUrl, { schema, max: 1 });
  try {
    await db.migrate();
    const store = createStore(db, testSecretBox);
    const now = t0;
    const newId = createIdGenerator({ now: () => now }, systemRandom);
    const app = await store.applications.create({
      id: newId('application'),
      uid: null,
      name: 'plans',
      rateLimit: null,
      metadata: {},
      policy: null,
      createdAt: now,
      updatedAt: now,
    });
    const endpoint = await store.endpoints.create(
      endpointRecord({ id: newId('endpoint'), appId: app.id, createdAt: now }),
    );
    const seed = async (from: number, to: number) => {
      await db.run(
        "INSERT INTO messages (id, app_id, event_type, payload, created_at) SELECT 'msg_plan' || i, ?, 'plan.test', '{}', ? FROM generate_series(?::int, ?::int) AS i",
        [app.id, now, from, to],
      );
      await db.run(
        "INSERT INTO deliveries (msg_id, endpoint_id, app_id, status, next_attempt_at, created_at, updated_at) SELECT 'msg_plan' || i, ?, ?, 3, ?, ?, ? FROM generate_series(?::int, ?::int) AS i",
        [endpoint.id, app.id, now, now, now, from, to],
      );
    };
    const attempt = (i: number): AttemptRecord => {
      const delivery = {
        msgId: `msg_plan${i}`,
        endpointId: endpoint.id,
        appId: app.id,
        attemptCount: 0,
        triggerType: TriggerType.scheduled,
      };
      return {
        delivery,
        attempt: {
          id: newId('attempt'),
          msgId: delivery.msgId,
          endpointId: endpoint.id,
          appId: app.id,
          url: endpoint.url,
          status: MessageStatus.success,
          responseStatusCode: 200,
          response: '',
          responseDurationMs: 1,
          triggerType: TriggerType.scheduled,
          createdAt: now,
          requestHeaders: { 'content-type': 'application/json' },
          privateDestination: false,
        },
        status: MessageStatus.success,
        nextAttemptAt: null,
      };
    };
    // A new node on a new database: its first batches meet an almost empty table...
    await seed(1, 20);
    for (let i = 1; i <= 10; i++) await store.queue.record([attempt(i)], now);
    // ...which then grows.
    await seed(21, 5000);
    await store.queue.record([attempt(4000), attempt(4001)], now);
    assert.equal((await store.deliveries.find('msg_plan4000', endpoint.id))?.status, 0);
    const [cached] = await db.all<{ generic: number }>(
      "SELECT coalesce(sum(generic_plans), 0)::int AS generic FROM pg_prepared_statements WHERE statement LIKE 'WITH recorded%'",
    );
    assert.equal(cached?.generic, 0, 'no plan made on the empty table is reused');
    // The plan made now reads the batch's deliveries by index, not the whole table.
    const record = loadStatements('postgres', jsonBatchRecordNames)['record-attempts'];
    const records = [attempt(4500), attempt(4501)];
    const plan = await db.all<{ 'QUERY PLAN': string }>(
      `EXPLAIN ${record.text}`,
      record.bind({
        attempts: JSON.stringify(records.map((r) => r.attempt)),
        moves: JSON.stringify(
          records.map((r) => ({
            msgId: r.delivery.msgId,
            endpointId: r.delivery.endpointId,
            seenCount: 0,
            status: r.status,
            nextAttemptAt: null,
            add: 1,
          })),
        ),
        now,
      }),
    );
    const text = plan.map((row) => row['QUERY PLAN']).join('\n');
    assert.doesNotMatch(text, /Seq Scan on deliveries/, text);
  } finally {
    await db.close();
    await dropSchema(schema);
  }
});
