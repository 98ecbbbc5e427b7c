// Two nodes' dispatchers on one PostgreSQL schema (two stores, two pools) deliver one queue
// of 500 deliveries together: every delivery is sent exactly once. A publish through one
// node's API wakes the idle worker of another through LISTEN/NOTIFY.
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createDispatcher, type Dispatcher } from '../../src/dispatcher/dispatcher.ts';
import { fakeClock, systemRandom } from '../../src/domain/clock.ts';
import { createIdGenerator } from '../../src/domain/ids.ts';
import { MessageStatus } from '../../src/domain/message.ts';
import { createHttpClient, type HttpClient } from '../../src/outbound/http-client.ts';
import { notifyChannel } from '../../src/store/postgres/postgres-database.ts';
import { openDatabase, openStore, type Store } from '../../src/store/store.ts';
import { client } from '../helpers/client.ts';
import { endpointRecord } from '../helpers/fixtures.ts';
import { type InProcessHerald, startInProcessHerald } from '../helpers/herald-process.ts';
import { dropSchema, freshSchema, postgresUrl } from '../helpers/postgres.ts';
import { type Receiver, startReceiver } from '../helpers/receiver.ts';
import { testMainSecret, testSecretBox } from '../helpers/secret-box.ts';

type Node = { store: Store; http: HttpClient; dispatcher: Dispatcher; sent: () => number };

const schema = freshSchema();
const clock = fakeClock(Date.parse('2026-03-01T00:00:00Z'));
const newId = createIdGenerator(clock, systemRandom);
let receiver: Receiver;
let nodes: Node[] = [];
let appId = '';

async function startNode(store: Store, maxIdleMs = 30_000): Promise<Node> {
  const http = createHttpClient({ allowedSubnets: ['127.0.0.0/8'], userAgent: 'Herald/test' });
  let sent = 0;
  const send = http.send.bind(http);
  http.send = (request) => {
    sent++;
    return send(request);
  };
  const dispatcher = createDispatcher({
    store,
    clock,
    random: systemRandom,
    newId,
    http,
    log: { error: (obj, msg) => console.error(msg, obj) },
    // Small batches: the two nodes claim many times, interleaved.
    settings: {
      retrySchedule: [5],
      signatureHeaders: 'standard',
      timeoutSeconds: 5,
      failureWindowHours: 120,
      batchSize: 20,
      maxInFlight: 40,
      maxIdleMs,
    },
  });
  return { store, http, dispatcher, sent: () => sent };
}

async function publish(store: Store, count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, () => newId('message'));
  await Promise.all(
    ids.map((id, i) =>
      store.messages.publish({
        id,
        appId,
        eventId: null,
        eventType: 'load.test',
        payload: JSON.stringify({ i }),
        channels: null,
        tags: null,
        createdAt: clock.now(),
        deliverAt: null,
      }),
    ),
  );
  return ids;
}

before(async () => {
  receiver = await startReceiver(() => ({ status: 200, delayMs: Math.floor(Math.random() * 4) }));
  // Both nodes start (and migrate) at once.
  const stores = await Promise.all([
    openStore(postgresUrl, { schema, secretBox: testSecretBox }),
    openStore(postgresUrl, { schema, secretBox: testSecretBox }),
  ]);
  nodes = await Promise.all(stores.map((store) => startNode(store)));
  const store = stores[0] as Store;
  const now = clock.now();
  appId = (
    await store.applications.create({
      id: newId('application'),
      uid: null,
      name: 'two nodes',
      rateLimit: null,
      metadata: {},
      policy: null,
      createdAt: now,
      updatedAt: now,
    })
  ).id;
  await store.endpoints.create(
    endpointRecord({ id: newId('endpoint'), appId, createdAt: now, url: receiver.url }),
  );
});

// A test that fails midway must not leave its answers or requests to the next.
afterEach(() => receiver.reset());

after(async () => {
  for (const node of nodes) {
    await node.dispatcher.stop();
    await node.http.close();
    await node.store.close();
  }
  await receiver?.close();
  await dropSchema(schema);
});

test('two dispatchers on one schema send each of 500 deliveries exactly once', async () => {
  const [a, b] = nodes as [Node, Node];
  const ids = await publish(a.store, 500);
  await Promise.all([a.dispatcher.runDue(), b.dispatcher.runDue()]);

  const byId = new Map<string, number>();
  for (const r of receiver.requests) {
    const id = String(r.headers['webhook-id']);
    byId.set(id, (byId.get(id) ?? 0) + 1);
  }
  assert.equal(receiver.requests.length, 500, 'one request per delivery');
  assert.deepEqual([...byId.keys()].sort(), [...ids].sort());
  assert.ok(
    [...byId.values()].every((n) => n === 1),
    'no delivery sent twice',
  );
  assert.ok(a.sent() > 0 && b.sent() > 0, `both nodes sent (${a.sent()} + ${b.sent()})`);
  assert.equal(a.sent() + b.sent(), 500);

  const database = openDatabase(postgresUrl, { schema });
  const counts = await database
    .get<{ attempts: number; delivered: number }>(
      `SELECT (SELECT COUNT(*) FROM attempts) AS attempts,
       (SELECT COUNT(*) FROM deliveries WHERE status = ? AND attempt_count = 1) AS delivered`,
      [MessageStatus.success],
    )
    .finally(() => database.close());
  assert.deepEqual(counts, { attempts: 500, delivered: 500 });
});

test("a message published through one node's API wakes another node's idle worker", async () => {
  // Both nodes as `herald serve` wires them: an API-only node publishes, a worker-only node
  // delivers. The worker sleeps up to 30 s when idle, so an arrival within 5 s of a single
  // publish is the NOTIFY waking it. Its connections carry a name of their own, so the test
  // can see its LISTEN is in place before it publishes once.
  const listenerName = `${schema}_worker`;
  const shared = {
    databaseSchema: schema,
    mainSecret: testMainSecret,
    allowedSubnets: ['127.0.0.0/8'],
  };
  const worker = await startInProcessHerald({
    ...shared,
    role: 'worker',
    databaseUrl: `${postgresUrl}${postgresUrl.includes('?') ? '&' : '?'}application_name=${listenerName}`,
  });
  let apiNode: InProcessHerald | undefined;
  const observer = openDatabase(postgresUrl, { schema });
  try {
    apiNode = await startInProcessHerald({ ...shared, role: 'api', databaseUrl: postgresUrl });
    await waitFor('the worker listens for notifications', async () => {
      const row = await observer.get<{ n: number }>(
        `SELECT COUNT(*)::int AS n FROM pg_stat_activity
         WHERE application_name = ? AND query = ? AND state = 'idle'`,
        [listenerName, `LISTEN "${notifyChannel(schema)}"`],
      );
      return row?.n === 1;
    });
    // An idle worker's round takes milliseconds: one that has not gone round for 300 ms sleeps.
    await waitFor('the worker goes idle', async () => {
      const health = await client(worker).call({ url: '/api/v1/health' });
      const lastTickAt = (health.body as { dispatcher: { lastTickAt: string | null } }).dispatcher
        .lastTickAt;
      return lastTickAt !== null && Date.now() - Date.parse(lastTickAt) >= 300;
    });
    const before = receiver.requests.length;
    const published = await client(apiNode).ok(
      {
        method: 'POST',
        url: `/api/v1/app/${appId}/msg`,
        body: { eventType: 'load.test', payload: { woken: true } },
      },
      202,
    );
    const started = Date.now();
    await waitFor('the woken worker delivers', () => receiver.requests.length > before);
    assert.ok(Date.now() - started < 5000);
    assert.equal(receiver.requests.length, before + 1);
    assert.equal(receiver.requests.at(-1)?.headers['webhook-id'], published.id);
  } finally {
    await observer.close();
    await apiNode?.close();
    await worker.close();
  }
});

/** Waits until `done()` holds, looking every 20 ms; fails after 5 s. */
async function waitFor(what: string, done: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!(await done())) {
    if (Date.now() > deadline) assert.fail(`${what}: not within 5 s`);
    await sleep(20);
  }
}
