// The one module that sends webhook requests, with the safety rules inside it: a timeout
// over the whole exchange, no redirects, a cap on the response body kept, and an SSRF guard
// on the resolved address (the socket connects to the address that was checked).
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import { Agent, errors as undiciErrors } from 'undici';
import { parseSubnets, reservedReason } from './ip-range.ts';
import type { HttpClient, SendErrorCode, SendResult } from './outbound.ts';

export type LookupFunction = (
  hostname: string,
  options: { all: true },
  callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

export type { HttpClient, OutboundRequest, SendErrorCode, SendResult } from './outbound.ts';
export { isSuccess } from './outbound.ts';

class BlockedDestinationError extends Error {
  readonly code = 'HERALD_DESTINATION_BLOCKED';
}

export type HttpClientOptions = {
  allowedSubnets?: readonly string[];
  userAgent: string;
  maxResponseBytes?: number;
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
  const verdicts = new Map<string, string | null>();
  const blockedReason = (address: string): string | null => {
    let verdict = verdicts.get(address);
    if (verdict === undefined) {
      const reason = reservedReason(address);
      verdict =
        reason === null || allowed(address)
          ? null
          : `destination ${address} is ${reason}; allow it with HERALD_ALLOWED_SUBNETS`;
      if (verdicts.size > 10_000) verdicts.clear();
      verdicts.set(address, verdict);
    }
    return verdict;
  };

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
      if (usable.length === 0) {
        const first = addresses[0]?.address ?? hostname;
        return callback(new BlockedDestinationError(blockedReason(first) ?? 'blocked'), '', 0);
      }
      if (lookupOptions.all) return callback(null, usable);
      const chosen = usable[0] as LookupAddress;
      callback(null, chosen.address, chosen.family);
    });
  };

  const agent = new Agent({
    connections: options.connections ?? 32,
    keepAliveTimeout: 30_000,
    connect: {
      lookup: guardedLookup as never,
      timeout: 10_000,
      ...(options.ca ? { ca: options.ca } : {}),
    },
  });

  return {
    async send(request) {
      const started = performance.now();
      const elapsed = () => Math.round(performance.now() - started);
      const fail = (
        code: SendErrorCode,
        message: string,
        statusCode: number | null = null,
      ): SendResult => ({
        statusCode,
        headers: {},
        body: '',
        durationMs: elapsed(),
        error: { code, message },
      });

      const target = parseTarget(request.url);
      if (typeof target === 'string') return fail('invalid_url', target);
      if (request.httpsOnly && target.protocol !== 'https:') {
        return fail('https_required', 'this endpoint accepts https:// URLs only');
      }
      if (target.ip) {
        const reason = blockedReason(target.host);
        if (reason) return fail('destination_blocked', reason);
      }

      const headers = request.headers;
      headers['user-agent'] ??= options.userAgent;
      const signal = AbortSignal.timeout(request.timeoutMs);
      try {
        const response = await agent.request({
          origin: target.origin,
          path: target.path,
          method: 'POST',
          headers,
          body: request.body,
          signal,
          headersTimeout: request.timeoutMs,
          bodyTimeout: request.timeoutMs,
        });
        const chunks: Buffer[] = [];
        let kept = 0;
        // Most receivers answer with an empty body: nothing to read then.
        if (response.headers['content-length'] === '0') await response.body.dump();
        else
          for await (const chunk of response.body as AsyncIterable<Buffer>) {
            if (kept < maxBytes) {
              const part = chunk.subarray(0, maxBytes - kept);
              chunks.push(part);
              kept += part.length;
            }
            if (kept >= maxBytes) {
              response.body.destroy();
              break;
            }
          }
        const responseHeaders: Record<string, string> = {};
        for (const [name, value] of Object.entries(response.headers)) {
          if (value !== undefined)
            responseHeaders[name] = Array.isArray(value) ? value.join(', ') : String(value);
        }
        const body = Buffer.concat(chunks).toString('utf8');
        const code = response.statusCode;
        if (code >= 300 && code < 400) {
          return {
            statusCode: code,
            headers: responseHeaders,
            body,
            durationMs: elapsed(),
            error: {
              code: 'redirect',
              message: `redirect (${code}) to ${responseHeaders.location ?? 'nowhere'} not followed`,
            },
          };
        }
        return {
          statusCode: code,
          headers: responseHeaders,
          body,
          durationMs: elapsed(),
          error: null,
        };
      } catch (error) {
        return classify(error, request.timeoutMs, fail);
      }
    },
    close: () => agent.close(),
  };
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

function classify(
  error: unknown,
  timeoutMs: number,
  fail: (code: SendErrorCode, message: string) => SendResult,
): SendResult {
  const e = error as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const code = e?.code ?? e?.cause?.code;
  if (error instanceof BlockedDestinationError || e?.cause instanceof BlockedDestinationError) {
    return fail('destination_blocked', (e.cause ?? e).message);
  }
  if (
    e?.name === 'TimeoutError' ||
    e?.name === 'AbortError' ||
    error instanceof undiciErrors.HeadersTimeoutError ||
    error instanceof undiciErrors.BodyTimeoutError ||
    code === 'UND_ERR_CONNECT_TIMEOUT'
  ) {
    return fail('timeout', `no complete response within ${timeoutMs} ms`);
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return fail('dns_failed', `cannot resolve host: ${e.message}`);
  if (
    typeof code === 'string' &&
    (code.startsWith('ERR_TLS') || code.includes('CERT') || code.startsWith('ERR_SSL'))
  ) {
    return fail('tls_error', `TLS failed: ${e.message}`);
  }
  return fail(
    'connection_failed',
    `connection failed: ${code ?? ''} ${e?.message ?? String(error)}`.trim(),
  );
}
