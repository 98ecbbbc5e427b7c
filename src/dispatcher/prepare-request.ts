// The one builder of the requests Herald sends to an endpoint: scheduled and manual attempts,
// the test button, example events (sent as messages) and deliveries to Play inboxes. Whatever
// the occasion, a request gets the same effective policy (server defaults, then the
// application's settings, then the endpoint's own), the same secrets and the same rendering,
// so a test request is signed exactly as a real delivery would be. Policies and signers are
// worked out once per endpoint version rather than once per attempt.
import {
  type DeliveryPolicy,
  type EffectivePolicy,
  effectivePolicy,
  type ServerDefaults,
  signsStandardWebhooks,
  usesRawSecret,
} from '../domain/delivery-policy.ts';
import { activeSecrets, currentSecret, type Endpoint } from '../domain/endpoint.ts';
import { isValidEndpointSecret, prepareSigner, type Signer } from '../domain/signing.ts';
import type { QueuedMessage } from '../store/queue.ts';
import { type RenderedRequest, renderRequest } from './render.ts';

type CachedPolicy = {
  version: number;
  /** The application policy it was made from, by reference and as JSON. */
  appPolicy: DeliveryPolicy | null;
  appPolicyJson: string;
  policy: EffectivePolicy;
};

export type RequestInput = {
  message: QueuedMessage;
  endpoint: Endpoint;
  /** The endpoint's effective policy (from `policyOf`). */
  policy: EffectivePolicy;
  attemptId: string;
  attemptNumber: number;
  /** When the request is made: its signature's timestamp, and which secrets are active. */
  at: number;
  /** A test request with no body, still signed and with every header. */
  emptyBody?: boolean;
};

export type RequestBuilder = ReturnType<typeof createRequestBuilder>;

export function createRequestBuilder(defaults: ServerDefaults) {
  const policies = new Map<string, CachedPolicy>();
  const signers = new Map<string, { version: number; validUntil: number; signers: Signer[] }>();

  /**
   * Signers of the secrets active at `now` (several during a rotation). A rotated-out secret
   * chosen for a raw-body scheme cannot sign Standard Webhooks and is left out; the request
   * cannot be signed (and is not sent) only when no active secret can.
   */
  function signersFor(endpoint: Endpoint, now: number): Signer[] {
    const cached = signers.get(endpoint.id);
    if (cached && cached.version === endpoint.updatedAt && cached.validUntil > now)
      return cached.signers;
    const active = activeSecrets(endpoint, now);
    const validUntil = Math.min(...active.map((s) => s.expiresAt ?? Number.POSITIVE_INFINITY));
    const prepared = active
      .filter((s) => isValidEndpointSecret(s.key))
      .map((s) => prepareSigner(s.key));
    if (prepared.length === 0) {
      throw new Error(
        'no secret of the endpoint can sign Standard Webhooks (a whsec_ or whsk_ secret is needed)',
      );
    }
    if (signers.size >= 10_000) signers.clear();
    signers.set(endpoint.id, { version: endpoint.updatedAt, validUntil, signers: prepared });
    return prepared;
  }

  return {
    /** The endpoint's effective policy under its application's. */
    policyOf(endpoint: Endpoint, appPolicy: DeliveryPolicy | null): EffectivePolicy {
      const cached = policies.get(endpoint.id);
      if (cached?.version === endpoint.updatedAt) {
        if (cached.appPolicy === appPolicy) return cached.policy;
        // The same application policy, read again: still the same effective policy.
        if (cached.appPolicyJson === JSON.stringify(appPolicy)) {
          cached.appPolicy = appPolicy;
          return cached.policy;
        }
      }
      const policy = effectivePolicy(defaults, appPolicy, endpoint.policy);
      if (policies.size >= 10_000) policies.clear();
      policies.set(endpoint.id, {
        version: endpoint.updatedAt,
        appPolicy,
        appPolicyJson: JSON.stringify(appPolicy),
        policy,
      });
      return policy;
    },

    /**
     * The request: body, headers, and the signature over exactly the bytes sent. Standard
     * Webhooks schemes sign with every active secret; raw-body schemes with the current one.
     * Throws when no request can be built from the message under the policy.
     */
    prepareRequest(input: RequestInput): RenderedRequest {
      const { endpoint, policy, at } = input;
      return renderRequest({
        message: input.message,
        endpoint,
        policy,
        signers: signsStandardWebhooks(policy) ? signersFor(endpoint, at) : [],
        secret: usesRawSecret(policy) ? currentSecret(endpoint) : '',
        attemptId: input.attemptId,
        attemptNumber: input.attemptNumber,
        timestampSeconds: Math.floor(at / 1000),
        emptyBody: input.emptyBody ?? false,
      });
    },
  };
}
