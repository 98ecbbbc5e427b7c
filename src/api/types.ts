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
import type { DispatcherState } from '../dispatcher/observer.ts';
import type { DispatchOffer } from '../dispatcher/offer.ts';
import type { EndpointTester } from '../dispatcher/test-request.ts';
import type { Application } from '../domain/application.ts';
import type { Clock, Random } from '../domain/clock.ts';
import type { IdGenerator } from '../domain/ids.ts';
import type { Authenticator } from '../services/auth.ts';
import type { BackgroundTasks } from '../services/background-tasks.ts';
import type { ConsoleSessions } from '../services/console-sessions.ts';
import type { EndpointService } from '../services/endpoints.ts';
import type { MessageService } from '../services/messages.ts';
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

/** What the API tells the rest of Herald about publishing. */
export type ApiEvents = {
  /** Deliveries were queued: wakes the dispatchers that take them. */
  deliveriesQueued: () => void;
  /** This node's dispatcher, offered new deliveries as they are stored (null: not taken). */
  offerDispatch: (app: Application) => DispatchOffer | null;
};

/** Everything the routes use, built once by createHerald (see herald.ts). */
export type AppDeps = {
  config: Config;
  store: Store;
  clock: Clock;
  random: Random;
  newId: IdGenerator;
  authenticator: Authenticator;
  events: ApiEvents;
  operationalEvents: OperationalEvents;
  /** Sends an endpoint an empty test request at once. */
  testEndpoint: EndpointTester;
  /** Runs recover and replay jobs. */
  backgroundTasks: BackgroundTasks;
  /** Metrics served at /metrics. */
  metrics: Metrics;
  /** The queue's state for health and metrics. */
  queueState: QueueState;
  /** This node's dispatcher state (null: the node does not deliver). */
  dispatcherState: () => DispatcherState | null;
  /** Play inboxes (shared with the dispatcher, which records into this node's own). */
  play: Play;
  consoleSessions: ConsoleSessions;
  /** Customers' endpoints, through every API that changes them. */
  endpoints: EndpointService;
  /** Herald's own operational webhook endpoints. */
  operationalEndpoints: EndpointService;
  messages: MessageService;
};
