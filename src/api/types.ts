// The Fastify instance type Herald's routes are written against, and what routes receive.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { Config } from '../config/config.ts';
import type { EndpointTester } from '../dispatcher/endpoint-test.ts';
import type { DispatcherState } from '../dispatcher/observer.ts';
import type { DispatchOffer } from '../dispatcher/offer.ts';
import type { Application } from '../domain/application.ts';
import type { Clock, Random } from '../domain/clock.ts';
import type { IdGenerator } from '../domain/ids.ts';
import type { Authenticator } from '../services/auth.ts';
import type { BackgroundTasks } from '../services/background-tasks.ts';
import type { ConsoleSessions } from '../services/console-sessions.ts';
import type { Metrics } from '../services/metrics.ts';
import type { OperationalEvents } from '../services/operational-events.ts';
import type { Play } from '../services/play.ts';
import type { QueueState } from '../services/queue-state.ts';
import type { Store } from '../store/store.ts';

export type HeraldFastify = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/** Hooks other parts of Herald give the API, e.g. to wake the dispatcher on publish. */
export type ApiEvents = {
  deliveriesQueued?: () => void;
  /** This node's dispatcher, offered new deliveries as they are stored. */
  offerDispatch?: (app: Application, reqId?: string) => DispatchOffer | null;
};

export type AppDeps = {
  config: Config;
  store: Store;
  clock: Clock;
  random: Random;
  newId: IdGenerator;
  authenticator: Authenticator;
  events?: ApiEvents;
  operationalEvents?: OperationalEvents;
  /** Sends an endpoint an empty test request at once (absent: the route answers 501). */
  testEndpoint?: EndpointTester;
  /** Runs recover and replay jobs; made by buildApp when not given. */
  backgroundTasks?: BackgroundTasks;
  /** Metrics served at /metrics; made by buildApp (without Node's own) when not given. */
  metrics?: Metrics;
  /** The queue's state for health and metrics; made by buildApp when not given. */
  queueState?: QueueState;
  /** This node's dispatcher state (absent or null: the node does not deliver). */
  dispatcherState?: () => DispatcherState | null;
  /** Play inboxes; made by buildApp when not given (serve shares one with the dispatcher). */
  play?: Play;
};

export type RouteDeps = AppDeps & {
  backgroundTasks: BackgroundTasks;
  queueState: QueueState;
  play: Play;
  consoleSessions: ConsoleSessions;
};
