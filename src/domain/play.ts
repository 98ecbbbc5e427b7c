// Play: a temporary inbox under Herald's own origin that records every request sent to it,
// and the verdict on each request's signature against the endpoints that point at it.
import type { Endpoint } from './endpoint.ts';

export type PlayInbox = {
  /** 128 random bits, hex: the capability that reads the inbox. */
  id: string;
  /** The application whose endpoints may point at it (null: made with the operator token). */
  appId: string | null;
  /** The address that records requests: `<base>/play/in/{id}`. */
  url: string;
  createdAt: number;
  expiresAt: number;
};

export type SignatureVerdict = {
  /**
   * valid: a signature verified with a secret of an endpoint pointing at this inbox;
   * invalid: signature headers were there and none verified;
   * unsigned: endpoints point here, but the request carries no signature their scheme expects;
   * no-endpoint: no endpoint points at this inbox.
   */
  status: 'valid' | 'invalid' | 'unsigned' | 'no-endpoint';
  /** The endpoint whose secret verified it, or the one checked first. */
  endpointId: string | null;
  /** The signature scheme that was checked: standard, svix, hmac-sha256, none. */
  scheme: string | null;
  detail: string;
};

export type PlayRequest = {
  id: string;
  inboxId: string;
  method: string;
  /** The path and query the request was sent to. */
  path: string;
  /** Header names and values in the order received (names lower-case). */
  headers: [string, string][];
  /** The body bytes kept (at most the configured size). */
  body: Uint8Array;
  /** The body's full size in bytes, before any cut. */
  bodySize: number;
  signature: SignatureVerdict;
  receivedAt: number;
};

/** A random inbox id: 128 bits as 32 lower-case hex digits. */
export function newInboxId(bytes: (n: number) => Buffer): string {
  return bytes(16).toString('hex');
}

const inboxIdPattern = /^[0-9a-f]{32}$/;

export function isInboxId(value: string): boolean {
  return inboxIdPattern.test(value);
}

/** The inbox id in a path `/play/in/{id}` (a trailing slash allowed), or null. */
export function inboxIdOfPath(pathname: string): string | null {
  const match = /^\/play\/in\/([0-9a-f]{32})\/?$/.exec(pathname);
  return match?.[1] ?? null;
}

/** Whether an endpoint URL names this inbox (any origin: the caller checks which origins). */
export function endpointPointsAt(endpoint: Pick<Endpoint, 'url'>, inboxId: string): boolean {
  try {
    return inboxIdOfPath(new URL(endpoint.url).pathname) === inboxId;
  } catch {
    return false;
  }
}
