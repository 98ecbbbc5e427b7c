// The "test webhook" button: one request sent at once (not queued), rendered as a real
// delivery would be (the endpoint's format and envelope, its Content-Type, signature and every
// header the policy sets), reporting status and duration. Its body is the sample event
// `testPayload` of type `herald.test`, or nothing when the policy asks for an empty body.
import { type HttpClient, isSuccess } from '../delivery/outbound.ts';
import type { Clock, Random } from '../domain/clock.ts';
import {
  effectivePolicy,
  type ServerDefaults,
  signsStandardWebhooks,
} from '../domain/delivery-policy.ts';
import { activeSecrets, type Endpoint } from '../domain/endpoint.ts';
import type { IdGenerator } from '../domain/ids.ts';
import { prepareSigner } from '../domain/signing.ts';
import type { Store } from '../store/store.ts';
import { renderRequest } from './render.ts';

export type EndpointTestResult = {
  success: boolean;
  statusCode: number | null;
  durationMs: number;
  response: string;
  error: string | null;
  /** Sent to a private address the allowed subnets let through (see outbound.ts). */
  privateDestination: boolean;
};

/** The test event's payload; `event` names it as Checkfront-style bodies do. */
export const testPayload = { event: 'herald.test', test: true };

export type EndpointTester = (endpoint: Endpoint) => Promise<EndpointTestResult>;

export function createEndpointTester(deps: {
  store: Store;
  clock: Clock;
  random: Random;
  newId: IdGenerator;
  http: HttpClient;
  defaults: ServerDefaults;
}): EndpointTester {
  return async (endpoint) => {
    const app = await deps.store.applications.find(endpoint.appId);
    const policy = effectivePolicy(deps.defaults, app?.policy, endpoint.policy);
    const now = deps.clock.now();
    const active = activeSecrets(endpoint, now);
    const request = renderRequest({
      message: {
        id: deps.newId('message'),
        eventId: null,
        eventType: 'herald.test',
        payload: JSON.stringify(testPayload),
        expired: false,
        channels: null,
        createdAt: now,
      },
      endpoint,
      policy,
      signers: signsStandardWebhooks(policy) ? active.map((s) => prepareSigner(s.key)) : [],
      secret: active[0]?.key ?? '',
      attemptId: deps.newId('attempt'),
      attemptNumber: 1,
      timestampSeconds: Math.floor(now / 1000),
      emptyBody: policy.testBody === 'empty',
    });
    const result = await deps.http.send({
      ...request,
      timeoutMs: policy.timeoutSeconds * 1000,
      httpsOnly: policy.httpsOnly,
    });
    return {
      success: isSuccess(result),
      statusCode: result.statusCode,
      durationMs: result.durationMs,
      response: result.body,
      error: result.error?.message ?? null,
      privateDestination: result.privateDestination,
    };
  };
}
