// Herald wired once: the store, the services, the HTTP application and the dispatcher, built
// from the settings and from what differs between a server, the OpenAPI command and the
// tests (the clock, randomness, the outbound HTTP client, the logger). Nothing listens and
// no loop runs here: `herald serve` starts what its role needs, and tests drive the rest.
import type { FastifyBaseLogger, FastifyServerOptions } from 'fastify';
import { buildApp, type HeraldApp } from './api/build-app.ts';
import { type Config, deliveryDefaults } from './config/config.ts';
import {
  createDispatcher,
  type Dispatcher,
  type DispatcherSettings,
} from './dispatcher/dispatcher.ts';
import type { AttemptObservation } from './dispatcher/observer.ts';
import { createEndpointTester } from './dispatcher/test-request.ts';
import type { Clock, Random } from './domain/clock.ts';
import { createIdGenerator } from './domain/ids.ts';
import type { HttpClient } from './outbound/request.ts';
import { createAuthenticator, ensureAdminToken } from './services/auth.ts';
import { type BackgroundTasks, createBackgroundTasks } from './services/background-tasks.ts';
import { createConsoleSessions } from './services/console-sessions.ts';
import { endpointService } from './services/endpoints.ts';
import { createMaintenance, type Maintenance } from './services/maintenance.ts';
import { messageService } from './services/messages.ts';
import { createMetrics, type Metrics } from './services/metrics.ts';
import {
  createOperationalEvents,
  type OperationalEvents,
  operationalEventTypes,
} from './services/operational-events.ts';
import { createPlayFromConfig, type Play } from './services/play.ts';
import { withPlayInboxes } from './services/play-delivery.ts';
import { createQueueState } from './services/queue-state.ts';
import type { SecretBox } from './store/secret-box.ts';
import { openStore, type Store } from './store/store.ts';

export type HeraldDeps = {
  clock: Clock;
  random: Random;
  /** Sends webhooks. Requests to this node's own Play inboxes are recorded without it. */
  http: HttpClient;
  /** The User-Agent `http` sends, which Play inboxes record too. */
  userAgent: string;
  /**
   * Fastify's logger, given the operator token generated on this start (if any) so that it
   * can keep it out of the log. Unexpected dispatcher and housekeeping errors go there too.
   */
  logger: (generatedAdminToken: string | null) => FastifyServerOptions['logger'];
  /** Seals secrets at rest (from the main secret, see cli/main-secret.ts). */
  secretBox: SecretBox;
  /** Node's own metrics (CPU, memory, event loop) beside Herald's. */
  processMetrics?: boolean;
  /** Narrower dispatcher limits than its defaults. */
  dispatcherLimits?: Pick<
    DispatcherSettings,
    'perEndpointConcurrency' | 'maxInFlight' | 'maxInFlightBytes'
  >;
};

export type Herald = {
  app: HeraldApp;
  store: Store;
  /** Not started: a node that delivers calls `start()`. */
  dispatcher: Dispatcher;
  /** Housekeeping: `run()` once, or `start()` hourly. */
  maintenance: Maintenance;
  play: Play;
  /** `deps.http` with this node's Play inboxes in front of it. */
  http: HttpClient;
  operationalEvents: OperationalEvents;
  backgroundTasks: BackgroundTasks;
  metrics: Metrics;
  /** The operator token generated on this start (the first), or null. */
  generatedAdminToken: string | null;
  /** Stops everything started, lets work in flight finish, and closes the store. */
  stop(): Promise<void>;
};

export async function createHerald(config: Config, deps: HeraldDeps): Promise<Herald> {
  const { clock } = deps;
  const metrics = createMetrics({ clock, processMetrics: deps.processMetrics ?? false });
  const store = await openStore(config.databaseUrl, {
    schema: config.databaseSchema,
    synchronous: config.sqliteSynchronous,
    secretBox: deps.secretBox,
    onError: () => metrics.storeError(),
  });
  try {
    return await assemble(config, deps, store, metrics);
  } catch (error) {
    // Nothing started yet would close it: a failed start leaves no connection or file open.
    await store.close();
    throw error;
  }
}

/** Herald's parts over an open store. */
async function assemble(
  config: Config,
  deps: HeraldDeps,
  store: Store,
  metrics: Metrics,
): Promise<Herald> {
  const { clock, random } = deps;
  // Values written before encryption, or sealed with a previous main secret, are sealed with
  // the current one (a no-op scan once done). An unknown key stops the start here.
  await store.sealedColumns.reseal();
  const newId = createIdGenerator(clock, random);
  const admin = await ensureAdminToken(store, config.adminToken, random);
  const authenticator = createAuthenticator({
    store,
    adminTokenHash: admin.hash,
    clock,
    random,
    newId,
  });
  const queueState = createQueueState({ store, clock });
  const play = createPlayFromConfig({ store, clock, random, newId, config });
  const http = withPlayInboxes(deps.http, play, { userAgent: deps.userAgent });
  const deliveriesQueued = () => store.deliveriesQueued();
  const operationalEvents = createOperationalEvents({ store, clock, newId, deliveriesQueued });
  await operationalEvents.operationalApp();
  const backgroundTasks = createBackgroundTasks({ store, clock, newId });

  // The log is the app's, made below; nothing logs before the app exists.
  const log = (): FastifyBaseLogger => app.log;
  const dispatcher = createDispatcher({
    store,
    clock,
    random,
    newId,
    http,
    events: operationalEvents,
    log: { error: (obj, msg) => log().error(obj, msg) },
    settings: { ...deliveryDefaults(config), ...deps.dispatcherLimits },
    observer: {
      attemptRecorded(o) {
        metrics.attemptRecorded(o);
        logAttempt(log(), o);
      },
    },
  });
  const delivers = config.role !== 'api';
  const dispatcherState = () => (delivers ? dispatcher.state() : null);
  metrics.watch({ queue: queueState, dispatcher: dispatcherState });

  const endpoints = endpointService({
    store,
    clock,
    random,
    newId,
    events: operationalEvents,
    deliveriesQueued,
    config,
  });
  const app = await buildApp(
    {
      config,
      store,
      clock,
      random,
      newId,
      authenticator,
      operationalEvents,
      // A node that delivers takes new deliveries itself as they are stored, while it has
      // room; an API-only node leaves them all to the queue.
      events: {
        deliveriesQueued,
        offerDispatch: delivers ? dispatcher.offer : () => null,
      },
      testEndpoint: createEndpointTester({
        store,
        clock,
        random,
        newId,
        http,
        defaults: deliveryDefaults(config),
      }),
      backgroundTasks,
      metrics,
      queueState,
      dispatcherState,
      play,
      consoleSessions: createConsoleSessions({
        store,
        clock,
        random,
        newId,
        ttlSeconds: config.consoleSessionTtlSeconds,
        adminTokenHash: authenticator.adminTokenHash,
      }),
      endpoints,
      // Herald's own endpoints raise no operational events, and filter on their types only.
      operationalEndpoints: endpointService(
        { store, clock, random, newId, events: null, deliveriesQueued, config },
        { eventTypes: operationalEventTypes },
      ),
      messages: messageService({
        store,
        clock,
        newId,
        maxPayloadBytes: config.maxPayloadBytes,
        deliveriesQueued,
        offerDispatch: delivers ? dispatcher.offer : () => null,
      }),
    },
    { logger: deps.logger(admin.generated) },
  );
  const maintenance = createMaintenance({
    store,
    clock,
    retentionDays: config.retentionDays,
    completedRetentionDays: config.completedRetentionDays,
    log: { error: (obj, msg) => log().error(obj, msg) },
  });

  let stopping: Promise<void> | null = null;
  return {
    app,
    store,
    dispatcher,
    maintenance,
    play,
    http,
    operationalEvents,
    backgroundTasks,
    metrics,
    generatedAdminToken: admin.generated,
    stop() {
      stopping ??= (async () => {
        maintenance.stop();
        await app.close();
        await backgroundTasks.idle();
        await dispatcher.stop();
        await http.close();
        await store.close();
      })();
      return stopping;
    },
  };
}

/**
 * Each attempt in the log: failures at `info`, successes at `debug`, with the request id of
 * the API call that published the message (stored with it, so retries carry it too).
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
