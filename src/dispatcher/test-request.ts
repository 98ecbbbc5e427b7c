// The "test webhook" button: one request sent at once (not queued), built and sent as an
// attempt is (the same builder: the endpoint's format and envelope, its Content-Type, its
// signature with the same secrets, and every header the policy sets), reporting status and
// duration. Its body is the sample event `testPayload` of type `herald.test`, or nothing when
// the policy asks for an empty body.

import type { Clock, Random } from '../domain/clock.ts';
import type { ServerDefaults } from '../domain/delivery-policy.ts';
import type { Endpoint } from '../domain/endpoint.ts';
import type { IdGenerator } from '../domain/ids.ts';
import { type HttpClient, isSuccess } from '../outbound/request.ts';
import type { Store } from '../store/store.ts';
import { createRequestBuilder } from './prepare-request.ts';
import { sendAttempt } from './send-attempt.ts';

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
  const requests = createRequestBuilder(deps.defaults);
  return async (endpoint) => {
    const app = await deps.store.applications.find(endpoint.appId);
    const policy = requests.policyOf(endpoint, app?.policy ?? null);
    const now = deps.clock.now();
    const { result } = await sendAttempt({
      http: deps.http,
      requests,
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
      attemptId: deps.newId('attempt'),
      attemptNumber: 1,
      at: now,
      emptyBody: policy.testBody === 'empty',
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
