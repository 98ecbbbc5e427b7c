// The "test webhook" button: one request with an empty body, sent at once (not queued),
// signed and with every header the endpoint's policy sets, reporting status and duration.
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
};

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
        payload: null,
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
      emptyBody: true,
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
    };
  };
}
