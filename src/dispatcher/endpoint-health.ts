// Endpoint health after each attempt: remembers since when an endpoint has been failing,
// disables it when it answered 410 Gone (unless its policy says otherwise: then only that
// message fails) or kept failing for the whole failure window, and
// reports operational events (failing, exhausted, recovered, disabled).
import type { Clock } from '../domain/clock.ts';
import type { EffectivePolicy } from '../domain/delivery-policy.ts';
import type { Endpoint } from '../domain/endpoint.ts';
import type { MessageAttempt } from '../domain/message.ts';
import type { NextAttemptPlan } from '../domain/retry-plan.ts';
import type { ClaimedDelivery } from '../store/queue.ts';
import type { Store } from '../store/store.ts';

export type OperationalEventSink = {
  /** True for Herald's own application, whose failures raise no further events. */
  isInternalApp(appId: string): boolean;
  emit(type: string, data: Record<string, unknown>): Promise<void>;
};

/** After this many failed attempts of one message, `message.attempt.failing` is sent. */
export const failingAfterAttempts = 4;

export type EndpointHealth = ReturnType<typeof createEndpointHealth>;

export function createEndpointHealth(deps: {
  store: Store;
  clock: Clock;
  events?: OperationalEventSink | undefined;
}) {
  const { store, clock } = deps;

  async function emit(
    endpoint: Endpoint,
    type: string,
    data: (appUid: string | null) => Record<string, unknown>,
  ) {
    const events = deps.events;
    if (!events || events.isInternalApp(endpoint.appId)) return;
    const app = await store.applications.find(endpoint.appId);
    await events.emit(type, data(app?.uid ?? null));
  }

  async function disable(endpoint: Endpoint, failSince: number | null): Promise<void> {
    const now = clock.now();
    if (!(await store.endpoints.setDisabled(endpoint.id, true, now))) return;
    await store.queue.pauseEndpoint(endpoint.id, now);
    await emit(endpoint, 'endpoint.disabled', (appUid) => ({
      appId: endpoint.appId,
      appUid,
      endpointId: endpoint.id,
      endpointUid: endpoint.uid,
      failSince: new Date(failSince ?? now).toISOString(),
      trigger: 'automatic',
    }));
  }

  return {
    disable,

    async afterAttempt(input: {
      endpoint: Endpoint;
      policy: EffectivePolicy;
      failSince: number | null;
      delivery: ClaimedDelivery;
      attempt: MessageAttempt;
      plan: NextAttemptPlan;
      attemptNumber: number;
    }): Promise<void> {
      const { endpoint, attempt, policy } = input;
      const plan: NextAttemptPlan =
        input.plan.action === 'disable-endpoint' && !policy.disableOnGone
          ? { action: 'give-up' }
          : input.plan;
      const attemptData = (appUid: string | null) => ({
        appId: endpoint.appId,
        appUid,
        endpointId: endpoint.id,
        msgId: attempt.msgId,
        lastAttempt: {
          id: attempt.id,
          responseStatusCode: attempt.responseStatusCode,
          timestamp: new Date(attempt.createdAt).toISOString(),
        },
      });
      if (plan.action === 'done') {
        if (input.failSince !== null) await store.queue.markEndpointSuccess(endpoint.id);
        if (input.attemptNumber > failingAfterAttempts) {
          await emit(endpoint, 'message.attempt.recovered', attemptData);
        }
        return;
      }
      const exhausted = plan.action === 'give-up' || plan.action === 'disable-endpoint';
      const state = await store.queue.markEndpointFailure(
        endpoint.id,
        clock.now(),
        exhausted ? 1 : 0,
      );
      if (plan.action === 'retry' && input.attemptNumber === failingAfterAttempts) {
        await emit(endpoint, 'message.attempt.failing', attemptData);
      }
      if (exhausted) await emit(endpoint, 'message.attempt.exhausted', attemptData);
      if (plan.action === 'disable-endpoint') {
        await disable(endpoint, state?.failSince ?? null);
      } else if (state && !state.disabled) {
        const windowOver =
          policy.failureWindowHours !== null &&
          clock.now() - state.failSince >= policy.failureWindowHours * 3_600_000;
        const tooManyExhausted =
          policy.disableAfterExhausted !== null &&
          state.exhaustedCount >= policy.disableAfterExhausted;
        if (windowOver || tooManyExhausted) await disable(endpoint, state.failSince);
      }
    },
  };
}
