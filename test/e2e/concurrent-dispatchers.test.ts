// Two nodes' dispatchers on one PostgreSQL schema (two stores, two pools) deliver one queue
// of 500 deliveries together: every delivery is sent exactly once. A publish on one node
// wakes the idle worker of the other through LISTEN/NOTIFY.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createHttpClient, type HttpClient } from '../../src/delivery/http-client.ts';
import { createDispatcher, type Dispatcher } from '../../src/dispatcher/dispatcher.ts';
import { fakeClock, systemRandom } from '../../src/domain/clock.ts';
import { createIdGenerator } from '../../src/domain/ids.ts';
import { MessageStatus } from '../../src/domain/message.ts';
import { openDatabase, openStore, type Store } from '../../src/store/store.ts';
import { endpointRecord } from '../helpers/fixtures.ts';
import { dropSchema, freshSchema, postgresUrl } from '../helpers/postgres.ts';
import { type Receiver, startReceiver } from '../helpers/receiver.ts';
import { testSecretBox } from '../helpers/secret-box.ts';

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

test("a publish on one node wakes the other node's idle worker", async () => {
  const [a, b] = nodes as [Node, Node];
  const before = receiver.requests.length;
  // b runs its loop and goes idle; with nothing due it would sleep 30 s.
  const unsubscribe = b.store.onDeliveriesQueued(b.dispatcher.wake);
  b.dispatcher.start();
  try {
    await sleep(200);
    const [id] = await publish(a.store, 1);
    // a's worker is not running: only b can deliver, and only if the notification wakes it.
    // LISTEN is set up in the background, so notify until the message arrives.
    const deadline = Date.now() + 5000;
    while (receiver.requests.length === before && Date.now() < deadline) {
      a.store.deliveriesQueued();
      await sleep(50);
    }
    assert.equal(receiver.requests.length, before + 1);
    assert.equal(receiver.requests.at(-1)?.headers['webhook-id'], id);
  } finally {
    unsubscribe();
    await b.dispatcher.stop();
  }
});
