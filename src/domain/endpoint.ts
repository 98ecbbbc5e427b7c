import type { DeliveryPolicy } from './delivery-policy.ts';

// An endpoint is a URL of one application that receives its webhooks.
export type EndpointSecret = {
  key: string;
  /** When a rotated-out key stops signing; null for the current key. */
  expiresAt: number | null;
};

export type Endpoint = {
  id: string;
  appId: string;
  uid: string | null;
  url: string;
  description: string;
  version: number;
  rateLimit: number | null;
  disabled: boolean;
  filterTypes: string[] | null;
  channels: string[] | null;
  metadata: Record<string, string>;
  headers: Record<string, string>;
  secrets: EndpointSecret[];
  /** How Herald delivers to it (a documented extension Svix clients ignore). */
  policy?: DeliveryPolicy | null;
  createdAt: number;
  updatedAt: number;
};

export type EndpointFields = Omit<Endpoint, 'id' | 'appId' | 'createdAt' | 'updatedAt'>;

/** At most this many secrets sign at once during rotation. */
export const maxActiveSecrets = 10;

/** Does a message with this event type and these channels go to this endpoint? */
export function endpointMatches(
  endpoint: Pick<Endpoint, 'disabled' | 'filterTypes' | 'channels'>,
  message: { eventType: string; channels: string[] | null },
): boolean {
  if (endpoint.disabled) return false;
  if (endpoint.filterTypes && endpoint.filterTypes.length > 0) {
    if (!endpoint.filterTypes.includes(message.eventType)) return false;
  }
  if (endpoint.channels && endpoint.channels.length > 0) {
    const wanted = endpoint.channels;
    if (!message.channels?.some((c) => wanted.includes(c))) return false;
  }
  return true;
}

/** The secrets that sign now: the current one and rotated-out ones still in their grace period. */
export function activeSecrets(endpoint: Pick<Endpoint, 'secrets'>, now: number): EndpointSecret[] {
  return endpoint.secrets.filter((s) => s.expiresAt === null || s.expiresAt > now);
}

/**
 * The current secret: the one not rotated out. It signs raw-body schemes, and it is the one
 * the API shows.
 */
export function currentSecret(endpoint: Pick<Endpoint, 'secrets'>): string {
  return (endpoint.secrets.find((s) => s.expiresAt === null) ?? endpoint.secrets[0])?.key ?? '';
}

/** Header names a producer may not set on an endpoint: Herald owns them. */
export const reservedHeaderNames = [
  'webhook-id',
  'webhook-timestamp',
  'webhook-signature',
  'svix-id',
  'svix-timestamp',
  'svix-signature',
  'content-type',
  'content-length',
  'host',
  'connection',
  'transfer-encoding',
];

const sensitiveHeader =
  /^(authorization|proxy-authorization|cookie|x-api-key|api-key|.*(secret|token|password|key).*)$/i;

export function isSensitiveHeader(name: string): boolean {
  return sensitiveHeader.test(name);
}

/** What a sensitive header's value reads as wherever Herald shows or records it. */
export const maskedHeaderValue = '••••••••';

/**
 * A request's headers as an attempt records them: what was sent, with the values of sensitive
 * headers masked (the same rule as the endpoint's custom headers), and the client's default
 * `user-agent` when the request carried none.
 */
export function recordedHeaders(
  headers: Record<string, string>,
  defaultUserAgent: string,
): Record<string, string> {
  const recorded: Record<string, string> = {};
  let agent = false;
  for (const name in headers) {
    if (!agent && name.toLowerCase() === 'user-agent') agent = true;
    recorded[name] = isSensitiveHeader(name) ? maskedHeaderValue : (headers[name] as string);
  }
  if (!agent) recorded['user-agent'] = defaultUserAgent;
  return recorded;
}
