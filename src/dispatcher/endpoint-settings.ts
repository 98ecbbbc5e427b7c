// What an endpoint's attempts are sent with, worked out once per endpoint version rather
// than once per attempt: its effective delivery policy (server defaults, then its
// application's settings, then its own) and the signers of its active secrets (until the
// first of those expires).
import type { DeliveryPolicy, EffectivePolicy, ServerDefaults } from '../domain/delivery-policy.ts';
import { effectivePolicy } from '../domain/delivery-policy.ts';
import { activeSecrets, type Endpoint } from '../domain/endpoint.ts';
import { prepareSigner, type Signer } from '../domain/signing.ts';
import type { LoadedEndpoint } from '../store/queue.ts';

type CachedPolicy = {
  version: number;
  /** The application policy it was made from, by reference and as JSON. */
  appPolicy: DeliveryPolicy | null;
  appPolicyJson: string;
  policy: EffectivePolicy;
};

export type EndpointSettings = ReturnType<typeof createEndpointSettings>;

export function createEndpointSettings(defaults: ServerDefaults) {
  const policies = new Map<string, CachedPolicy>();
  const signers = new Map<string, { version: number; validUntil: number; signers: Signer[] }>();

  return {
    policyOf(loaded: LoadedEndpoint): EffectivePolicy {
      const { endpoint, appPolicy } = loaded;
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

    /** Signers of the secrets active at `now` (several during a rotation). */
    signersFor(endpoint: Endpoint, now: number): Signer[] {
      const cached = signers.get(endpoint.id);
      if (cached && cached.version === endpoint.updatedAt && cached.validUntil > now)
        return cached.signers;
      const active = activeSecrets(endpoint, now);
      const validUntil = Math.min(...active.map((s) => s.expiresAt ?? Number.POSITIVE_INFINITY));
      const prepared = active.map((s) => prepareSigner(s.key));
      if (signers.size >= 10_000) signers.clear();
      signers.set(endpoint.id, { version: endpoint.updatedAt, validUntil, signers: prepared });
      return prepared;
    },
  };
}

/** The secret that signs raw-body schemes: the current one. */
export function currentSecret(endpoint: Endpoint): string {
  return (endpoint.secrets.find((s) => s.expiresAt === null) ?? endpoint.secrets[0])?.key ?? '';
}
