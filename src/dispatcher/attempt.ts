// One attempt of a claimed delivery, from the request to its record: send it, record the
// attempt and the delivery's next state (retry, done, given up) in one write, tell the
// endpoint's health about it, and report it to the observer (metrics, the log).
import type { Clock, Random } from '../domain/clock.ts';
import type { IdGenerator } from '../domain/ids.ts';
import { type MessageAttempt, MessageStatus, TriggerType } from '../domain/message.ts';
import {
  type AttemptOutcome,
  type NextAttemptPlan,
  planNextAttempt,
} from '../domain/retry-plan.ts';
import { maskCredentials } from '../domain/url-credentials.ts';
import { type HttpClient, isSuccess } from '../outbound/request.ts';
import type {
  AttemptRecord,
  ClaimedDelivery,
  LoadedEndpoint,
  QueuedMessage,
} from '../store/queue.ts';
import type { Store } from '../store/store.ts';
import type { EndpointHealth } from './endpoint-health.ts';
import type { DispatcherObserver } from './observer.ts';
import type { RequestBuilder } from './prepare-request.ts';
import { sendAttempt } from './send-attempt.ts';

export function createAttempter(deps: {
  store: Store;
  clock: Clock;
  random: Random;
  newId: IdGenerator;
  http: HttpClient;
  requests: RequestBuilder;
  health: EndpointHealth;
  observer?: DispatcherObserver | undefined;
  /** How long a finished attempt's record waits for a transaction to ride on. */
  recordLingerMs: number;
  /** Told when a retry falls due, once it is committed. */
  dueBy(at: number): void;
}) {
  return async function attempt(
    delivery: ClaimedDelivery,
    message: QueuedMessage,
    loaded: LoadedEndpoint,
    exchanged: (timedOut: boolean) => void,
  ) {
    const { endpoint } = loaded;
    const policy = deps.requests.policyOf(endpoint, loaded.appPolicy);
    const startedAt = deps.clock.now();
    const attemptId = deps.newId('attempt');
    const attemptNumber = delivery.attemptCount + 1;
    const { result, hopeless, requestHeaders } = await sendAttempt({
      http: deps.http,
      requests: deps.requests,
      message,
      endpoint,
      policy,
      attemptId,
      attemptNumber,
      at: startedAt,
    });
    exchanged(result.error?.code === 'timeout');
    const ok = isSuccess(result);
    const outcome: AttemptOutcome = ok
      ? { kind: 'success' }
      : {
          kind: 'failure',
          statusCode: result.statusCode ?? undefined,
          retryAfter: result.headers['retry-after'],
        };
    const attemptRecord: MessageAttempt = {
      id: attemptId,
      msgId: delivery.msgId,
      endpointId: endpoint.id,
      appId: delivery.appId,
      // The attempt log never needs the URL's password: it is stored masked.
      url: maskCredentials(endpoint.url),
      triggerType: delivery.triggerType,
      createdAt: startedAt,
      status: ok ? MessageStatus.success : MessageStatus.fail,
      responseStatusCode: result.statusCode ?? 0,
      response: result.error ? result.error.message : result.body,
      responseDurationMs: result.durationMs,
      requestHeaders,
      privateDestination: result.privateDestination,
    };

    const now = deps.clock.now();
    const plan: NextAttemptPlan =
      delivery.triggerType === TriggerType.manual || hopeless
        ? oneShotPlan(outcome)
        : planNextAttempt({
            attemptNumber,
            outcome,
            now,
            random: deps.random.float,
            schedule: policy.retrySchedule,
          });
    const record: AttemptRecord = {
      delivery,
      attempt: attemptRecord,
      status:
        plan.action === 'done'
          ? MessageStatus.success
          : plan.action === 'retry'
            ? MessageStatus.pending
            : MessageStatus.fail,
      nextAttemptAt: plan.action === 'retry' ? plan.at : null,
    };
    await deps.store.queue.record([record], now, deps.recordLingerMs);
    // Committed: a retry sooner than the loop's wake-up moves it earlier.
    if (record.nextAttemptAt !== null) deps.dueBy(record.nextAttemptAt);
    await deps.health.afterAttempt({
      endpoint,
      policy,
      failSince: loaded.failSince,
      delivery,
      attempt: attemptRecord,
      plan,
      attemptNumber,
    });
    deps.observer?.attemptRecorded({
      attempt: attemptRecord,
      ok,
      errorCode: result.error?.code ?? null,
      attemptNumber,
      messageCreatedAt: message.createdAt,
      // The API request that published it, on this node or another, long ago or just now.
      reqId: message.requestId ?? undefined,
    });
  };
}

/** Manual attempts and unsendable messages get one try: done, or given up (410 disables). */
function oneShotPlan(outcome: AttemptOutcome): NextAttemptPlan {
  if (outcome.kind === 'success') return { action: 'done' };
  return outcome.statusCode === 410 ? { action: 'disable-endpoint' } : { action: 'give-up' };
}
