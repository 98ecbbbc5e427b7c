// Herald for tests, wired by createHerald as in production, on a temporary SQLite file (or a
// fresh PostgreSQL schema) with a fake clock (or, for tests of the running loop, the real one).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HeraldApp } from '../../src/api/build-app.ts';
import { type Config, loadConfig } from '../../src/config/config.ts';
import type { Dispatcher } from '../../src/dispatcher/dispatcher.ts';
import { fakeClock, type Random, systemRandom } from '../../src/domain/clock.ts';
import { createHerald } from '../../src/herald.ts';
import {
  createHttpClient,
  type HttpClient,
  type LookupFunction,
} from '../../src/outbound/http-client.ts';
import type { BackgroundTasks } from '../../src/services/background-tasks.ts';
import type { Maintenance } from '../../src/services/maintenance.ts';
import type { OperationalEvents } from '../../src/services/operational-events.ts';
import type { Play } from '../../src/services/play.ts';
import type { Database, SqlExecutor } from '../../src/store/database.ts';
import { openDatabase, type Store } from '../../src/store/store.ts';
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
  maintenance: Maintenance;
  http: HttpClient;
  play: Play;
  operationalEvents: OperationalEvents;
  backgroundTasks: BackgroundTasks;
  /** How often publishing woke the dispatcher. */
  wakeups: () => number;
  /**
   * Statements run under the store, on a connection of their own: for rows no API call can
   * make (what an earlier version left, a delivery failed for good).
   */
  sql: SqlExecutor;
  close(): Promise<void>;
};

export async function createTestApp(
  options: {
    config?: Partial<Config>;
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
  const clock = options.realTime ? realClock() : fakeClock(options.start ?? Date.now());
  const userAgent = 'Herald/test';
  const herald = await createHerald(config, {
    clock,
    random: options.random ?? systemRandom,
    http: createHttpClient({
      allowedSubnets: options.allowedSubnets ?? ['127.0.0.0/8', '::1/128'],
      userAgent,
      ...(options.ca ? { ca: options.ca } : {}),
      ...(options.lookup ? { lookup: options.lookup } : {}),
    }),
    userAgent,
    secretBox: testSecretBox,
    // An unexpected error (a dispatcher's, a 5xx) is a bug: show it in the test output.
    logger: () => ({ level: 'error', stream: process.stderr }),
    dispatcherLimits: {
      ...(options.perEndpointConcurrency
        ? { perEndpointConcurrency: options.perEndpointConcurrency }
        : {}),
      ...(options.maxInFlight ? { maxInFlight: options.maxInFlight } : {}),
      ...(options.maxInFlightBytes ? { maxInFlightBytes: options.maxInFlightBytes } : {}),
    },
  });
  let wakeups = 0;
  herald.store.onDeliveriesQueued(
    () => {
      wakeups++;
    },
    { thisProcess: true },
  );
  if (options.realTime) herald.dispatcher.start();
  let raw: Database | null = null;
  const database = () => {
    raw ??= openDatabase(config.databaseUrl, { schema, synchronous: 'normal' });
    return raw;
  };
  return {
    app: herald.app,
    store: herald.store,
    clock,
    config,
    admin: { authorization: `Bearer ${adminToken}` },
    dispatcher: herald.dispatcher,
    maintenance: herald.maintenance,
    backgroundTasks: herald.backgroundTasks,
    http: herald.http,
    play: herald.play,
    operationalEvents: herald.operationalEvents,
    wakeups: () => wakeups,
    sql: {
      all: (text, params) => database().all(text, params),
      get: (text, params) => database().get(text, params),
      run: (text, params) => database().run(text, params),
    },
    close: async () => {
      await raw?.close();
      await herald.stop();
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
