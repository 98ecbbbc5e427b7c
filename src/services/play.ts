// Play: temporary inboxes under Herald's own origin that record the requests sent to them, and
// say whether each request's signature verifies with the secrets of the endpoints pointing at
// the inbox. The HTTP route, the API and the dispatcher's own deliveries all go through here.
import { type Config, deliveryDefaults } from '../config/config.ts';
import { createRequestBuilder } from '../dispatcher/prepare-request.ts';
import type { Clock, Random } from '../domain/clock.ts';
import type { ServerDefaults } from '../domain/delivery-policy.ts';
import { activeSecrets } from '../domain/endpoint.ts';
import { HeraldError, notFound } from '../domain/errors.ts';
import type { IdGenerator } from '../domain/ids.ts';
import {
  endpointPointsAt,
  inboxIdOfPath,
  isInboxId,
  newInboxId,
  type PlayInbox,
  type PlayRequest,
  type SignatureVerdict,
} from '../domain/play.ts';
import { checkSignature } from '../domain/signature-check.ts';
import type { Store } from '../store/store.ts';

export type PlayLimits = {
  /** Requests an inbox keeps; older ones are dropped. */
  maxRequests: number;
  /** Body bytes kept per request. */
  maxBodyBytes: number;
  /** An inbox's lifetime. */
  inboxTtlSeconds: number;
};

export type ReceivedRequest = {
  method: string;
  path: string;
  /** Names lower-case, in the order received. */
  headers: [string, string][];
  body: Uint8Array;
};

export type Play = ReturnType<typeof createPlay>;

export function createPlay(deps: {
  store: Store;
  clock: Clock;
  random: Random;
  newId: IdGenerator;
  limits: PlayLimits;
  defaults: ServerDefaults;
  /** Herald's public base URL (HERALD_PUBLIC_URL), when set. */
  publicUrl?: string | undefined;
}) {
  const { store, clock, limits } = deps;
  // The policy a request to an endpoint is built with is the policy its verdict checks.
  const requests = createRequestBuilder(deps.defaults);
  // Origins that are Herald itself: its public URL, and the listener once it listens.
  const ownOrigins = new Set<string>();
  if (deps.publicUrl) ownOrigins.add(new URL(deps.publicUrl).origin);

  /** The inbox, or a coded 404 (unknown) or 410 (expired, not yet purged). */
  async function openInbox(id: string): Promise<PlayInbox> {
    const inbox = isInboxId(id) ? await store.playInboxes.find(id) : null;
    if (!inbox) throw notFound('Play inbox');
    if (inbox.expiresAt <= clock.now()) {
      throw new HeraldError(
        'gone',
        `this Play inbox expired at ${new Date(inbox.expiresAt).toISOString()}`,
      );
    }
    return inbox;
  }

  async function verdict(
    inbox: PlayInbox,
    headers: Record<string, string>,
    body: Uint8Array,
    now: number,
  ): Promise<SignatureVerdict> {
    const endpoints = (await store.playInboxes.endpointsPointingAt(inbox.id, inbox.appId)).filter(
      (e) => endpointPointsAt(e, inbox.id),
    );
    if (endpoints.length === 0) {
      return {
        status: 'no-endpoint',
        endpointId: null,
        scheme: null,
        detail: 'no endpoint has this inbox as its URL',
      };
    }
    // Valid with any endpoint wins; otherwise "invalid" says more than "unsigned".
    let best: SignatureVerdict | null = null;
    for (const endpoint of endpoints) {
      const app = await store.applications.find(endpoint.appId);
      const policy = requests.policyOf(endpoint, app?.policy ?? null);
      // Every active secret: a receiver may hold any of them during a rotation.
      const secrets = activeSecrets(endpoint, now).map((s) => s.key);
      const check = checkSignature(policy.signature, secrets, headers, body);
      const scheme = policy.signature.scheme;
      if (check.result === 'valid') {
        return { status: 'valid', endpointId: endpoint.id, scheme, detail: check.detail };
      }
      if (!best || (check.result === 'invalid' && best.status !== 'invalid')) {
        best = { status: check.result, endpointId: endpoint.id, scheme, detail: check.detail };
      }
    }
    return best as SignatureVerdict;
  }

  return {
    limits,

    /** Remembers an origin that is Herald itself (the listener's, once it listens). */
    addOwnOrigin(url: string): void {
      ownOrigins.add(new URL(url).origin);
    },

    async createInbox(appId: string | null, baseUrl: string): Promise<PlayInbox> {
      const id = newInboxId(deps.random.bytes);
      const now = clock.now();
      return store.playInboxes.create({
        id,
        appId,
        url: `${baseUrl.replace(/\/+$/, '')}/play/in/${id}`,
        createdAt: now,
        expiresAt: now + limits.inboxTtlSeconds * 1000,
      });
    },

    openInbox,

    /** Records one request sent to an inbox; throws a coded 404 or 410 when it cannot. */
    async receive(inboxId: string, request: ReceivedRequest): Promise<PlayRequest> {
      const inbox = await openInbox(inboxId);
      const now = clock.now();
      const headers: Record<string, string> = {};
      for (const [name, value] of request.headers) {
        headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
      }
      // The signature is checked over the whole body; only the first bytes are kept.
      const recorded: PlayRequest = {
        id: deps.newId('playRequest'),
        inboxId,
        method: request.method,
        path: request.path,
        headers: request.headers,
        body: request.body.subarray(0, limits.maxBodyBytes),
        bodySize: request.body.length,
        signature: await verdict(inbox, headers, request.body, now),
        receivedAt: now,
      };
      if (!(await store.playInboxes.addRequest(recorded, limits.maxRequests))) {
        throw notFound('Play inbox');
      }
      return recorded;
    },

    async listRequests(inboxId: string, after: string | null, limit: number) {
      await openInbox(inboxId);
      return store.playInboxes.listRequests(inboxId, { after, limit });
    },

    /**
     * The inbox id when `url` is one of Herald's own inboxes: path `/play/in/{id}` on Herald's
     * own origin (its public URL or its listener), or on the exact origin of the URL Herald
     * handed out for that inbox. Anything else is null, and goes out through the network and
     * its private-address guard like any other URL.
     */
    async ownInbox(url: string): Promise<string | null> {
      if (!url.includes('/play/in/')) return null;
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        return null;
      }
      const id = inboxIdOfPath(parsed.pathname);
      if (!id || parsed.username || parsed.password) return null;
      if (ownOrigins.has(parsed.origin)) return id;
      const inbox = await store.playInboxes.find(id);
      return inbox && new URL(inbox.url).origin === parsed.origin ? id : null;
    },
  };
}

/** Play with the limits and defaults of Herald's settings. */
export function createPlayFromConfig(deps: {
  store: Store;
  clock: Clock;
  random: Random;
  newId: IdGenerator;
  config: Config;
}): Play {
  const { config } = deps;
  return createPlay({
    ...deps,
    limits: {
      maxRequests: config.playMaxRequests,
      maxBodyBytes: config.playMaxBodyBytes,
      inboxTtlSeconds: config.playInboxTtlSeconds,
    },
    defaults: deliveryDefaults(config),
    publicUrl: config.publicUrl,
  });
}
