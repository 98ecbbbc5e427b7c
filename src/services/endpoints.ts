// Creating and changing endpoints: the checks and defaults shared by every way in (the Svix
// API, the portal, the simple webhooks API).

import type { Clock, Random } from '../domain/clock.ts';
import {
  checkPolicyLimits,
  type DeliveryPolicy,
  layeredPolicy,
  type PolicyLimits,
  usesRawSecret,
} from '../domain/delivery-policy.ts';
import {
  activeSecrets,
  currentSecret,
  type Endpoint,
  type EndpointSecret,
  maxActiveSecrets,
  reservedHeaderNames,
} from '../domain/endpoint.ts';
import { invalid } from '../domain/errors.ts';
import type { IdGenerator } from '../domain/ids.ts';
import { generateHmacSecret, isValidEndpointSecret } from '../domain/signing.ts';
import { keepMaskedPassword } from '../domain/url-credentials.ts';
import type { Store } from '../store/store.ts';
import type { OperationalEvents } from './operational-events.ts';

export type EndpointInput = {
  url?: string;
  description?: string;
  uid?: string | null;
  version?: number | null;
  rateLimit?: number | null;
  throttleRate?: number | null;
  disabled?: boolean;
  filterTypes?: string[] | null;
  eventTypes?: string[] | null;
  channels?: string[] | null;
  metadata?: Record<string, string>;
  secret?: string | null;
  headers?: Record<string, string> | null;
  policy?: DeliveryPolicy | null;
};

export function endpointService(
  deps: {
    store: Store;
    clock: Clock;
    random: Random;
    newId: IdGenerator;
    /** Null for Herald's own endpoints, which raise no operational events. */
    events: OperationalEvents | null;
    /** Wakes the dispatcher when deliveries resume. */
    deliveriesQueued: () => void;
    /** The server's settings: what the operator lets a delivery policy set. */
    config: PolicyLimits;
  },
  options: {
    /** The event types a filter may name; by default, those in the store. */
    eventTypes?: readonly string[];
  } = {},
) {
  const { store, clock } = deps;
  const newSecret = () => generateHmacSecret(deps.random.bytes);

  /** Sends an operational event about a customer's endpoint (never about Herald's own). */
  async function emit(type: string, endpoint: Endpoint, extra: Record<string, unknown> = {}) {
    if (!deps.events || deps.events.isInternalApp(endpoint.appId)) return;
    const app = await store.applications.find(endpoint.appId);
    await deps.events.emit(type, {
      appId: endpoint.appId,
      appUid: app?.uid ?? null,
      endpointId: endpoint.id,
      endpointUid: endpoint.uid,
      ...extra,
    });
  }

  /**
   * Checks what depends on the effective delivery policy: the secret's form (raw-body HMAC
   * schemes sign with any caller-chosen text; the others need a whsec_ or whsk_ key) and
   * HTTPS-only URLs. Neither is set by the server's defaults, so what the application and the
   * endpoint set decides.
   */
  async function checkAgainstPolicy(endpoint: Endpoint, secretLoc: string[]): Promise<void> {
    const app = await store.applications.find(endpoint.appId);
    const policy = layeredPolicy(app?.policy, endpoint.policy);
    if (!usesRawSecret(policy) && !isValidEndpointSecret(currentSecret(endpoint))) {
      throw invalid(
        secretLoc,
        'a secret is whsec_ + base64 of 24 to 64 bytes, or whsk_ + base64 of a 64-byte Ed25519 key (seed and public key)',
      );
    }
    if (policy.httpsOnly === true && !endpoint.url.startsWith('https://')) {
      throw invalid(['body', 'url'], 'this endpoint accepts https:// URLs only (policy httpsOnly)');
    }
  }

  /** Unknown event types in a filter are a 422, as a typo would silently drop every event. */
  async function checkFilter(filter: string[] | null | undefined, field: string): Promise<void> {
    if (!filter) return;
    for (const [i, name] of filter.entries()) {
      const known = options.eventTypes
        ? options.eventTypes.includes(name)
        : (await store.eventTypes.find(name)) !== null;
      if (!known) throw invalid(['body', field, i], `event type "${name}" does not exist`);
    }
  }

  function checkHeaders(
    headers: Record<string, string | null> | null | undefined,
    loc: string[],
  ): void {
    for (const name of Object.keys(headers ?? {})) {
      if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name))
        throw invalid([...loc, name], 'not a valid header name');
      if (reservedHeaderNames.includes(name.toLowerCase())) {
        throw invalid(
          [...loc, name],
          `the ${name} header is set by Herald and cannot be overridden`,
        );
      }
    }
  }

  /** Applies input fields over an endpoint (or over defaults when creating). */
  async function merge(base: Endpoint, input: EndpointInput): Promise<Endpoint> {
    const filterField = input.eventTypes !== undefined ? 'eventTypes' : 'filterTypes';
    const filter = input.eventTypes !== undefined ? input.eventTypes : input.filterTypes;
    await checkFilter(filter, filterField);
    checkHeaders(input.headers, ['body', 'headers']);
    checkPolicyLimits(input.policy, deps.config, ['body', 'policy']);
    const now = clock.now();
    const secrets = input.secret ? rotate(base, input.secret, 0, now) : base.secrets;
    return {
      ...base,
      url: input.url === undefined ? base.url : keepMaskedPassword(input.url, base.url),
      description: input.description ?? base.description,
      uid: input.uid === undefined ? base.uid : input.uid,
      version: input.version ?? base.version,
      rateLimit:
        input.throttleRate !== undefined
          ? input.throttleRate
          : input.rateLimit !== undefined
            ? input.rateLimit
            : base.rateLimit,
      disabled: input.disabled ?? base.disabled,
      filterTypes: filter === undefined ? base.filterTypes : filter,
      channels: input.channels === undefined ? base.channels : input.channels,
      metadata: input.metadata ?? base.metadata,
      headers: input.headers === undefined || input.headers === null ? base.headers : input.headers,
      secrets,
      policy: input.policy === undefined ? base.policy : input.policy,
      updatedAt: now,
    };
  }

  function rotate(
    endpoint: Endpoint,
    newKey: string,
    graceSeconds: number,
    now: number,
  ): EndpointSecret[] {
    const kept = activeSecrets(endpoint, now)
      .filter((s) => s.key !== newKey)
      .map((s) => (s.expiresAt === null ? { ...s, expiresAt: now + graceSeconds * 1000 } : s))
      .filter((s) => s.expiresAt === null || s.expiresAt > now);
    return [{ key: newKey, expiresAt: null }, ...kept].slice(0, maxActiveSecrets);
  }

  return {
    async create(appId: string, input: EndpointInput & { url: string }): Promise<Endpoint> {
      const now = clock.now();
      const blank: Endpoint = {
        id: deps.newId('endpoint'),
        appId,
        uid: null,
        url: input.url,
        description: '',
        version: 1,
        rateLimit: null,
        disabled: false,
        filterTypes: null,
        channels: null,
        metadata: {},
        headers: {},
        secrets: [{ key: input.secret ?? newSecret(), expiresAt: null }],
        createdAt: now,
        updatedAt: now,
      };
      const merged = await merge(blank, { ...input, secret: undefined });
      await checkAgainstPolicy(merged, ['body', 'secret']);
      const endpoint = await store.endpoints.create(merged);
      await emit('endpoint.created', endpoint);
      return endpoint;
    },

    /** Changes an endpoint; disabling pauses its pending deliveries and enabling resumes them. */
    async update(endpoint: Endpoint, input: EndpointInput): Promise<Endpoint> {
      const merged = await merge(endpoint, input);
      await checkAgainstPolicy(merged, ['body', 'secret']);
      const updated = await store.endpoints.update(merged);
      const now = clock.now();
      if (updated.disabled && !endpoint.disabled) {
        await store.queue.pauseEndpoint(updated.id, now);
        await emit('endpoint.disabled', updated, { trigger: 'manual', failSince: null });
      } else if (!updated.disabled && endpoint.disabled) {
        if ((await store.queue.resumeEndpoint(updated.id, now)) > 0) deps.deliveriesQueued();
        await emit('endpoint.enabled', updated);
      }
      await emit('endpoint.updated', updated);
      return updated;
    },

    async delete(endpoint: Endpoint): Promise<void> {
      await store.endpoints.delete(endpoint.id);
      await emit('endpoint.deleted', endpoint);
    },

    /** Replaces the signing secret; the old one keeps signing for the grace period. */
    async rotateSecret(
      endpoint: Endpoint,
      key: string | null | undefined,
      graceSeconds: number,
    ): Promise<Endpoint> {
      const now = clock.now();
      const rotated = {
        ...endpoint,
        secrets: rotate(endpoint, key ?? newSecret(), graceSeconds, now),
        updatedAt: now,
      };
      await checkAgainstPolicy(rotated, ['body', 'key']);
      return store.endpoints.update(rotated);
    },

    async setHeaders(endpoint: Endpoint, headers: Record<string, string>): Promise<Endpoint> {
      checkHeaders(headers, ['body', 'headers']);
      return store.endpoints.update({ ...endpoint, headers, updatedAt: clock.now() });
    },

    async patchHeaders(
      endpoint: Endpoint,
      changes: Record<string, string | null>,
      remove: string[] = [],
    ): Promise<Endpoint> {
      checkHeaders(changes, ['body', 'headers']);
      const headers = { ...endpoint.headers };
      for (const [name, value] of Object.entries(changes)) {
        if (value === null) delete headers[name];
        else headers[name] = value;
      }
      for (const name of remove) delete headers[name];
      return store.endpoints.update({ ...endpoint, headers, updatedAt: clock.now() });
    },
  };
}

export type EndpointService = ReturnType<typeof endpointService>;
