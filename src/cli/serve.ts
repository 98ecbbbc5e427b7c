// `herald serve`: owns the process. Reads the config, opens the store, starts the API (and,
// by role, the worker), prints where it listens, and shuts down gracefully on a signal.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import { buildApp, type HeraldApp } from '../api/build-app.ts';
import type { ApiEvents } from '../api/types.ts';
import { type Config, deliveryDefaults } from '../config/config.ts';
import { createHttpClient } from '../delivery/http-client.ts';
import { wholeAddressSpaces } from '../delivery/ip-range.ts';
import { createThreadedHttpClient } from '../delivery/threaded-http-client.ts';
import { createDispatcher } from '../dispatcher/dispatcher.ts';
import { createEndpointTester } from '../dispatcher/endpoint-test.ts';
import type { AttemptObservation } from '../dispatcher/observer.ts';
import { systemClock, systemRandom } from '../domain/clock.ts';
import { createIdGenerator } from '../domain/ids.ts';
import { createLogOutput } from '../logging/log-output.ts';
import { createRedactor } from '../logging/redact.ts';
import { createAuthenticator, ensureAdminToken } from '../services/auth.ts';
import { createBackgroundTasks } from '../services/background-tasks.ts';
import { createMaintenance } from '../services/maintenance.ts';
import { createMetrics } from '../services/metrics.ts';
import { createOperationalEvents } from '../services/operational-events.ts';
import { createPlayFromConfig } from '../services/play.ts';
import { withPlayInboxes } from '../services/play-delivery.ts';
import { createQueueState } from '../services/queue-state.ts';
import { createSecretBox } from '../store/secret-box.ts';
import { openStore, type Store } from '../store/store.ts';
import { heraldVersion } from '../version.ts';
import { loadMainSecrets } from './main-secret.ts';

export type RunningHerald = {
  url: string;
  app: HeraldApp;
  store: Store;
  stop(): Promise<void>;
};

export async function serve(
  config: Config,
  out: (line: string) => void = console.log,
): Promise<RunningHerald> {
  const dataDir = resolve(config.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const clock = systemClock;
  const metrics = createMetrics({ clock });
  const mainSecrets = loadMainSecrets(config);
  const store = await openStore(config.databaseUrl, {
    schema: config.databaseSchema,
    synchronous: config.sqliteSynchronous,
    secretBox: createSecretBox(mainSecrets.secrets),
    onError: () => metrics.storeError(),
  });
  // Values written before encryption, or sealed with a previous main secret, are sealed with
  // the current one (a no-op scan once done). An unknown key stops the start here.
  try {
    await store.sealedColumns.reseal();
  } catch (error) {
    await store.close();
    throw error;
  }
  const queueState = createQueueState({ store, clock });
  const random = systemRandom;
  const newId = createIdGenerator(clock, random);

  const admin = await ensureAdminToken(store, config.adminToken, random);
  const tokenFile = join(dataDir, 'admin-token');
  if (admin.generated) {
    writeFileSync(tokenFile, `${admin.generated}\n`, { mode: 0o600 });
    chmodSync(tokenFile, 0o600);
  }
  const authenticator = createAuthenticator({
    store,
    adminTokenHash: admin.hash,
    clock,
    random,
    newId,
  });

  const runsWorker = config.role !== 'api';
  // With `sendThread`, requests are built and sent on a thread of their own (see
  // threaded-http-client.ts); otherwise on the main thread, which costs less memory.
  const createClient = config.sendThread ? createThreadedHttpClient : createHttpClient;
  const userAgent = `Herald/${heraldVersion}`;
  // Deliveries to Herald's own Play inboxes are recorded directly; the guard stays closed.
  const play = createPlayFromConfig({ store, clock, random, newId, config });
  const http = withPlayInboxes(
    createClient({ allowedSubnets: config.allowedSubnets, userAgent }),
    play,
    { userAgent },
  );
  // New deliveries wake this node's dispatcher at once, and the other nodes' through the
  // database (LISTEN/NOTIFY on PostgreSQL).
  let wakeDispatcher = () => {};
  // A node that delivers takes new deliveries itself as they are stored, while it has room.
  let offerDispatch: NonNullable<ApiEvents['offerDispatch']> = () => null;
  const deliveriesQueued = () => {
    wakeDispatcher();
    store.db.notify().catch(() => {});
  };
  const operationalEvents = createOperationalEvents({ store, clock, newId, deliveriesQueued });
  await operationalEvents.operationalApp();

  const backgroundTasks = createBackgroundTasks({ store, clock, newId });
  const testEndpoint = createEndpointTester({
    store,
    clock,
    random,
    newId,
    http,
    defaults: deliveryDefaults(config),
  });
  const app = await buildApp(
    {
      backgroundTasks,
      testEndpoint,
      play,
      config,
      store,
      clock,
      random,
      newId,
      authenticator,
      operationalEvents,
      events: { deliveriesQueued, offerDispatch: (app, reqId) => offerDispatch(app, reqId) },
      metrics,
      queueState,
      dispatcherState: () => (runsWorker ? dispatcher.state() : null),
    },
    {
      logger: {
        level: config.logLevel,
        redact: ['req.headers.authorization', 'req.headers["idempotency-key"]'],
        stream: createLogOutput({
          format:
            config.logFormat === 'auto'
              ? process.stdout.isTTY
                ? 'pretty'
                : 'json'
              : config.logFormat,
          redact: createRedactor([
            admin.generated,
            config.adminToken,
            config.metricsToken,
            databasePassword(config.databaseUrl),
          ]),
          write: (text) => process.stdout.write(text),
        }),
      },
    },
  );
  metrics.watch({ queue: queueState, dispatcher: () => (runsWorker ? dispatcher.state() : null) });
  const dispatcher = createDispatcher({
    store,
    clock,
    random,
    newId,
    http,
    events: operationalEvents,
    log: app.log,
    settings: deliveryDefaults(config),
    observer: {
      attemptRecorded(o) {
        metrics.attemptRecorded(o);
        logAttempt(app.log, o);
      },
    },
  });
  const maintenance = createMaintenance({
    store,
    clock,
    retentionDays: config.retentionDays,
    completedRetentionDays: config.completedRetentionDays,
  });
  const housekeeping = () =>
    maintenance
      .run()
      .catch((error: unknown) => app.log.error({ err: error }, 'maintenance failed'));
  let maintenanceTimer: NodeJS.Timeout | undefined;
  let unsubscribe = () => {};
  if (runsWorker) {
    wakeDispatcher = dispatcher.wake;
    offerDispatch = dispatcher.offer;
    unsubscribe = store.db.onNotify(dispatcher.wake);
    dispatcher.start();
    maintenanceTimer = setInterval(housekeeping, 3_600_000);
    maintenanceTimer.unref();
    void housekeeping();
  }
  // A worker-only node serves no API: it only delivers.
  let url = '';
  if (config.role !== 'worker') {
    await app.listen({ host: config.host, port: config.port });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    for (const origin of listenerOrigins(config.host, port)) play.addOwnOrigin(origin);
  } else {
    await app.ready();
  }

  out(
    url
      ? `Herald listening on ${url} (API at ${url}/api/v1, role ${config.role})`
      : 'Herald worker running (role worker: no API)',
  );
  out(`Data directory: ${dataDir}`);
  const wide = wholeAddressSpaces(config.allowedSubnets);
  if (wide.length > 0) {
    out(
      `Warning: HERALD_ALLOWED_SUBNETS includes ${wide.join(' and ')}: webhooks may reach any private, loopback or cloud metadata address (the private-address guard is off for that address family)`,
    );
  }
  if (mainSecrets.generated) {
    out(`Main secret generated in ${mainSecrets.file}: back it up with the database`);
  }
  out(`Database: ${config.databaseUrl.replace(/\/\/[^@/]*@/, '//***@')}`);
  if (admin.generated) {
    out(`Operator token (shown once, also saved to ${tokenFile}):`);
    out(`  ${admin.generated}`);
  } else if (config.adminToken) {
    out('Operator token: the one set in HERALD_ADMIN_TOKEN');
  } else {
    out(`Operator token: generated on first start, saved in ${tokenFile}`);
  }

  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      clearInterval(maintenanceTimer);
      unsubscribe();
      await app.close();
      await backgroundTasks.idle();
      await dispatcher.stop();
      await http.close();
      await store.close();
    })();
    return stopping;
  };
  return { url, app, store, stop };
}

/**
 * Each attempt in the log: failures at `info`, successes at `debug`, with the request id of
 * the API call that published the message when this node sent it straight away.
 */
function logAttempt(log: FastifyBaseLogger, o: AttemptObservation): void {
  const fields = {
    reqId: o.reqId,
    msgId: o.attempt.msgId,
    endpointId: o.attempt.endpointId,
    attemptId: o.attempt.id,
    attempt: o.attemptNumber,
    statusCode: o.attempt.responseStatusCode,
    durationMs: o.attempt.responseDurationMs,
    error: o.errorCode ?? undefined,
  };
  if (o.ok) log.debug(fields, 'attempt succeeded');
  else log.info(fields, 'attempt failed');
}

/** The password in a database URL, if any (kept out of the logs). */
function databasePassword(url: string): string | null {
  try {
    return url.startsWith('postgres') ? decodeURIComponent(new URL(url).password) || null : null;
  } catch {
    return null;
  }
}

/** The origins this node's listener answers on, as Play inbox URLs may name it. */
function listenerOrigins(host: string, port: number): string[] {
  const loopback = [`http://127.0.0.1:${port}`, `http://localhost:${port}`, `http://[::1]:${port}`];
  if (['0.0.0.0', '::', '127.0.0.1', 'localhost', '::1'].includes(host)) return loopback;
  return [`http://${host.includes(':') ? `[${host}]` : host}:${port}`];
}
