// Builds a Herald API on a temporary SQLite file for tests, with a fake clock (or, for tests of
// the running loop, the real one).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, type HeraldApp } from '../../src/api/build-app.ts';
import type { ApiEvents } from '../../src/api/types.ts';
import { type Config, deliveryDefaults, loadConfig } from '../../src/config/config.ts';
import {
  createHttpClient,
  type HttpClient,
  type LookupFunction,
} from '../../src/delivery/http-client.ts';
import { createDispatcher, type Dispatcher } from '../../src/dispatcher/dispatcher.ts';
import { createEndpointTester } from '../../src/dispatcher/endpoint-test.ts';
import { fakeClock, type Random, systemRandom } from '../../src/domain/clock.ts';
import { createIdGenerator } from '../../src/domain/ids.ts';
import { createAuthenticator, ensureAdminToken } from '../../src/services/auth.ts';
import {
  type BackgroundTasks,
  createBackgroundTasks,
} from '../../src/services/background-tasks.ts';
import {
  createOperationalEvents,
  type OperationalEvents,
} from '../../src/services/operational-events.ts';
import { createPlayFromConfig, type Play } from '../../src/services/play.ts';
import { withPlayInboxes } from '../../src/services/play-delivery.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import { dropSchema, freshSchema, postgresUrl } from './postgres.ts';
import { testSecretBox } from './secret-box.ts';

export const adminToken = 'test_admin_token_0123456789abcdef';

export type TestApp = {
  app: HeraldApp;
  store: Store;
  clock: ReturnType<typeof fakeClock>;
  config: Config;
  /** Headers carrying the operator token. */
  admin: Record<string, string>;
  /** The dispatcher, driven by the test with `runDue()` under the fake clock. */
  dispatcher: Dispatcher;
  http: HttpClient;
  play: Play;
  operationalEvents: OperationalEvents;
  backgroundTasks: BackgroundTasks;
  /** How often publishing woke the dispatcher. */
  wakeups: () => number;
  close(): Promise<void>;
};

export async function createTestApp(
  options: {
    config?: Partial<Config>;
    events?: ApiEvents;
    start?: number;
    random?: Random;
    /** Private subnets the HTTP client may send to (default: loopback, for test receivers). */
    allowedSubnets?: string[];
    /** A certificate authority the HTTP client trusts (HTTPS receivers in tests). */
    ca?: string;
    /** At most this many requests in flight to one endpoint. */
    perEndpointConcurrency?: number;
    /** At most this many attempts in flight in all. */
    maxInFlight?: number;
    /** At most about this many payload bytes in flight. */
    maxInFlightBytes?: number;
    /** Resolves host names for the HTTP client instead of DNS. */
    lookup?: LookupFunction;
    /**
     * The real clock, and the dispatcher's loop running from the start: what a server does
     * when nobody drives it (the fake clock's `advance` and `set` then throw).
     */
    realTime?: boolean;
    /** The store to run on; by default PostgreSQL when HERALD_TEST_DATABASE=postgres. */
    database?: 'sqlite' | 'postgres';
  } = {},
): Promise<TestApp> {
  const dir = mkdtempSync(join(tmpdir(), 'herald-test-'));
  // HERALD_TEST_DATABASE=postgres runs the same suites on PostgreSQL, in a fresh schema.
  const onPostgres =
    (options.database ??
      (process.env.HERALD_TEST_DATABASE === 'postgres' ? 'postgres' : 'sqlite')) === 'postgres';
  const schema = onPostgres ? freshSchema() : 'public';
  const config = loadConfig({
    env: {},
    overrides: {
      dataDir: dir,
      databaseUrl: onPostgres ? postgresUrl : `sqlite:${join(dir, 'herald.db')}`,
      databaseSchema: schema,
      adminToken,
      ...options.config,
    },
  });
  const store = await openStore(config.databaseUrl, {
    schema: config.databaseSchema,
    synchronous: config.sqliteSynchronous,
    secretBox: testSecretBox,
  });
  const clock = options.realTime ? realClock() : fakeClock(options.start ?? Date.now());
  const newId = createIdGenerator(clock, systemRandom);
  const admin = await ensureAdminToken(store, config.adminToken, systemRandom);
  const authenticator = createAuthenticator({
    store,
    adminTokenHash: admin.hash,
    clock,
    random: systemRandom,
    newId,
  });
  let wakeups = 0;
  let wake = () => {};
  const operationalEvents = createOperationalEvents({
    store,
    clock,
    newId,
    deliveriesQueued: () => wake(),
  });
  await operationalEvents.operationalApp();
  const play = createPlayFromConfig({ store, clock, random: systemRandom, newId, config });
  const http = withPlayInboxes(
    createHttpClient({
      allowedSubnets: options.allowedSubnets ?? ['127.0.0.0/8', '::1/128'],
      userAgent: 'Herald/test',
      ...(options.ca ? { ca: options.ca } : {}),
      ...(options.lookup ? { lookup: options.lookup } : {}),
    }),
    play,
    { userAgent: 'Herald/test' },
  );
  const dispatcher = createDispatcher({
    store,
    clock,
    random: options.random ?? systemRandom,
    newId,
    http,
    events: operationalEvents,
    // An unexpected dispatcher error is a bug: show it in the test output.
    log: { error: (obj, msg) => console.error(msg, obj) },
    settings: {
      ...deliveryDefaults(config),
      ...(options.perEndpointConcurrency
        ? { perEndpointConcurrency: options.perEndpointConcurrency }
        : {}),
      ...(options.maxInFlight ? { maxInFlight: options.maxInFlight } : {}),
      ...(options.maxInFlightBytes ? { maxInFlightBytes: options.maxInFlightBytes } : {}),
    },
  });
  const backgroundTasks = createBackgroundTasks({ store, clock, newId });
  const testEndpoint = createEndpointTester({
    store,
    clock,
    random: systemRandom,
    newId,
    http,
    defaults: deliveryDefaults(config),
  });
  const app = await buildApp({
    backgroundTasks,
    testEndpoint,
    play,
    config,
    store,
    clock,
    random: systemRandom,
    newId,
    authenticator,
    operationalEvents,
    events: {
      deliveriesQueued: () => {
        wakeups++;
        wake();
        options.events?.deliveriesQueued?.();
      },
      // Null until the test starts the dispatcher: `runDue()` tests see every delivery queued.
      offerDispatch: (app) => dispatcher.offer(app),
    },
  });
  wake = dispatcher.wake;
  if (options.realTime) dispatcher.start();
  return {
    app,
    store,
    clock,
    config,
    admin: { authorization: `Bearer ${adminToken}` },
    dispatcher,
    backgroundTasks,
    http,
    play,
    operationalEvents,
    wakeups: () => wakeups,
    close: async () => {
      await app.close();
      await backgroundTasks.idle();
      await dispatcher.stop();
      await http.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
      if (onPostgres) await dropSchema(schema);
    },
  };
}

/** The system clock in the fake clock's shape; moving it is a mistake in the test. */
function realClock(): ReturnType<typeof fakeClock> {
  const fixed = () => {
    throw new Error('a real-time test app cannot move its clock');
  };
  return { now: () => Date.now(), advance: fixed, set: fixed };
}
