// The one module that sends webhook requests, with the safety rules inside it: a timeout
// over the whole exchange, no redirects, a cap on the response body kept, and an SSRF guard
// on the resolved address (the socket connects to the address that was checked). It also
// tells which requests went to a private address that the allowed subnets let through.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type Socket } from 'node:net';
import { Agent, buildConnector } from 'undici';
import { BlockedDestinationError, type Destination, Exchange, failure } from './exchange.ts';
import { parseSubnets, reservedReason } from './ip-range.ts';
import type { HttpClient, SendResult } from './request.ts';

export type LookupFunction = (
  hostname: string,
  options: { all: true },
  callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

export type { HttpClient, OutboundRequest, SendErrorCode, SendResult } from './request.ts';
export { isSuccess } from './request.ts';

export type HttpClientOptions = {
  allowedSubnets?: readonly string[];
  userAgent: string;
  maxResponseBytes?: number;
  /**
   * Connections to one origin at most; by default none: the dispatcher bounds requests per
   * endpoint, per application and in all, and a cap per origin would queue one application's
   * requests behind another's hung ones on a host they share.
   */
  connections?: number;
  lookup?: LookupFunction;
  /** Extra trusted certificate authorities (PEM), e.g. a private CA. */
  ca?: string;
};

export function createHttpClient(options: HttpClientOptions): HttpClient {
  const allowed = parseSubnets(options.allowedSubnets ?? []);
  const maxBytes = options.maxResponseBytes ?? 20_000;
  const resolve: LookupFunction = options.lookup ?? ((host, opts, cb) => dnsLookup(host, opts, cb));

  // The verdict on an address never changes while the process runs: remember it.
  const verdicts = new Map<string, Verdict>();
  const verdictOf = (address: string): Verdict => {
    let verdict = verdicts.get(address);
    if (verdict === undefined) {
      verdict = addressVerdict(address, allowed);
      if (verdicts.size > 10_000) verdicts.clear();
      verdicts.set(address, verdict);
    }
    return verdict;
  };
  const blockedReason = (address: string): string | null => verdictOf(address).blocked;

  // Which requests reached a private address. A request does not see its socket, so this is
  // kept per host name: the open connections to an allowed private address, counted, and
  // whether the host's last lookup chose one (for a connection that then failed). A host
  // with connections of both kinds counts as private: hiding too much is the safe side.
  const privateConnections = new Map<string, number>();
  const privateLookups = new Map<string, boolean>();
  const privateConnectErrors = new WeakSet<object>();
  const reachedPrivate = (host: string) => (privateConnections.get(host) ?? 0) > 0;

  // Resolves, checks every address, and hands net.connect the first allowed one.
  const guardedLookup = (
    hostname: string,
    lookupOptions: { family?: number; all?: boolean },
    callback: (
      error: NodeJS.ErrnoException | null,
      address: string | LookupAddress[],
      family?: number,
    ) => void,
  ) => {
    resolve(hostname, { all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const usable = addresses.filter((a) => blockedReason(a.address) === null);
      if (privateLookups.size > 10_000) privateLookups.clear();
      privateLookups.set(
        hostname,
        usable.some((a) => verdictOf(a.address).private),
      );
      if (usable.length === 0) {
        const first = addresses[0]?.address ?? hostname;
        return callback(new BlockedDestinationError(blockedReason(first) ?? 'blocked'), '', 0);
      }
      if (lookupOptions.all) return callback(null, usable);
      const chosen = usable[0] as LookupAddress;
      callback(null, chosen.address, chosen.family);
    });
  };

  const connector = buildConnector({
    lookup: guardedLookup as never,
    timeout: 10_000,
    ...(options.ca ? { ca: options.ca } : {}),
  });
  const connect: buildConnector.connector = (target, callback) =>
    connector(target, (error, socket) => {
      if (error) {
        if (privateLookups.get(target.hostname)) privateConnectErrors.add(error);
        return callback(error, null);
      }
      const address = (socket as Socket).remoteAddress;
      if (address !== undefined && verdictOf(address).private) {
        const host = target.hostname;
        privateConnections.set(host, (privateConnections.get(host) ?? 0) + 1);
        (socket as Socket).once('close', () => {
          const left = (privateConnections.get(host) ?? 1) - 1;
          if (left > 0) privateConnections.set(host, left);
          else privateConnections.delete(host);
        });
      }
      callback(null, socket as Socket);
    });

  const agent = new Agent({
    connections: options.connections ?? null,
    keepAliveTimeout: 30_000,
    connect,
  });

  // One sweep enforces the timeout over the whole exchange (undici's own timers bound the
  // wait for headers and between body chunks, not a body that drips for ever).
  const pending = new Set<Exchange>();
  let sweeper: NodeJS.Timeout | null = null;
  const sweep = () => {
    const now = performance.now();
    for (const exchange of pending) if (exchange.deadline <= now) exchange.expire();
    if (pending.size === 0 && sweeper) {
      clearInterval(sweeper);
      sweeper = null;
    }
  };

  return {
    userAgent: options.userAgent,
    send(request) {
      const started = performance.now();
      const target = parseTarget(request.url);
      if (typeof target === 'string')
        return Promise.resolve(failure('invalid_url', target, started));
      if (request.httpsOnly && target.protocol !== 'https:') {
        return Promise.resolve(
          failure('https_required', 'this endpoint accepts https:// URLs only', started),
        );
      }
      let literalPrivate = false;
      if (target.ip) {
        const verdict = verdictOf(target.host);
        if (verdict.blocked)
          return Promise.resolve(failure('destination_blocked', verdict.blocked, started));
        literalPrivate = verdict.private;
      }

      const headers = request.headers;
      if (!Object.keys(headers).some((name) => name.toLowerCase() === 'user-agent'))
        headers['user-agent'] = options.userAgent;
      // undici refuses such a header only once a connection takes the request, and a refused
      // request queued behind others was never answered (nor was closing the client).
      const unsendable = unsendableHeader(headers);
      if (unsendable) {
        return Promise.resolve(
          failure('render_failed', `the ${unsendable} header cannot be sent: ${why}`, started),
        );
      }
      const host = target.host;
      const destination: Destination = {
        reachedPrivate: target.ip ? () => literalPrivate : () => reachedPrivate(host),
        privateError: (error) =>
          literalPrivate ||
          privateConnectErrors.has(error as object) ||
          privateConnectErrors.has((error as { cause?: object })?.cause ?? {}),
      };
      return new Promise<SendResult>((resolve) => {
        const exchange = new Exchange(
          started,
          request.timeoutMs,
          maxBytes,
          destination,
          (result) => {
            pending.delete(exchange);
            resolve(result);
          },
        );
        pending.add(exchange);
        sweeper ??= setInterval(sweep, 100).unref();
        agent.dispatch(
          {
            origin: target.origin,
            path: target.path,
            method: 'POST',
            headers,
            body: request.body,
            headersTimeout: request.timeoutMs,
            bodyTimeout: request.timeoutMs,
          },
          exchange,
        );
      });
    },
    close: () => {
      if (sweeper) clearInterval(sweeper);
      return agent.close();
    },
  };
}

type Verdict = {
  /** Why nothing may be sent there, or null. */
  blocked: string | null;
  /** A private or reserved address that the allowed subnets let through. */
  private: boolean;
};

/** What the guard makes of one resolved (or literal) address. */
export function addressVerdict(address: string, allowed: (address: string) => boolean): Verdict {
  const reason = reservedReason(address);
  if (reason === null) return { blocked: null, private: false };
  if (allowed(address)) return { blocked: null, private: true };
  return {
    blocked: `destination ${address} is ${reason}; allow it with HERALD_ALLOWED_SUBNETS`,
    private: false,
  };
}

const headerName = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const headerValue = /^[\t\x20-\x7e\x80-\xff]*$/;
const why = 'HTTP header values hold tabs, visible ASCII and Latin-1 characters only';

/** The name of a header HTTP cannot carry (a bad name, or a value with CR, LF, NUL, ...). */
function unsendableHeader(headers: Record<string, string>): string | null {
  for (const name in headers) {
    if (!headerName.test(name) || !headerValue.test(headers[name] ?? '')) return name;
  }
  return null;
}

type Target = { origin: string; path: string; protocol: string; host: string; ip: boolean };

// Endpoint URLs repeat from one attempt to the next: parse each once.
const targets = new Map<string, Target | string>();

/** The parts of an endpoint URL a request needs, or why it cannot be sent to. */
function parseTarget(raw: string): Target | string {
  let target = targets.get(raw);
  if (target !== undefined) return target;
  try {
    const url = new URL(raw);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      target = `unsupported scheme ${url.protocol}`;
    } else {
      const host = url.hostname.replace(/^\[|\]$/g, '');
      target = {
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        protocol: url.protocol,
        host,
        ip: isIP(host) !== 0,
      };
    }
  } catch {
    target = `not a valid URL: ${raw}`;
  }
  if (targets.size >= 10_000) targets.clear();
  targets.set(raw, target);
  return target;
}
