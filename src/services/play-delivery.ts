// Delivery to Herald's own Play inboxes. The dispatcher's request (built, signed and rendered
// as for any endpoint) is recorded straight into the inbox instead of going out through the
// network, so the private-address guard stays closed to everything else: only a URL that
// `Play.ownInbox` recognises is taken here, and each other URL, Play-shaped or not, is sent
// by the real client and its guard.

import { HeraldError } from '../domain/errors.ts';
import type { HttpClient, OutboundRequest, SendResult } from '../outbound/request.ts';
import type { Play } from './play.ts';

export function withPlayInboxes(
  http: HttpClient,
  play: Play,
  options: { userAgent: string },
): HttpClient {
  const ownInbox = (url: string) => play.ownInbox(url).catch(() => null);
  const sendOrRecord = async (request: OutboundRequest): Promise<SendResult> => {
    // An HTTPS-only endpoint with an http:// inbox URL is refused by the client, as usual.
    const inboxId =
      request.httpsOnly && !request.url.startsWith('https:') ? null : await ownInbox(request.url);
    if (inboxId === null) return http.send(request);
    const started = performance.now();
    const url = new URL(request.url);
    const body = typeof request.body === 'string' ? Buffer.from(request.body) : request.body;
    // What a request over the network would have carried besides the built headers.
    const headers: [string, string][] = [
      ['host', url.host],
      ['user-agent', options.userAgent],
      ['content-length', String(body.length)],
    ];
    for (const [name, value] of Object.entries(request.headers)) {
      const at = headers.findIndex(([n]) => n === name);
      if (at >= 0) headers[at] = [name, value];
      else headers.push([name, value]);
    }
    const elapsed = () => Math.round(performance.now() - started);
    try {
      await play.receive(inboxId, {
        method: 'POST',
        path: `${url.pathname}${url.search}`,
        headers,
        body,
      });
      return {
        statusCode: 204,
        headers: {},
        body: '',
        durationMs: elapsed(),
        error: null,
        privateDestination: false,
      };
    } catch (error) {
      if (!(error instanceof HeraldError)) {
        // The database failed mid-way: a failed attempt, retried later like any other.
        return {
          statusCode: null,
          headers: {},
          body: '',
          durationMs: elapsed(),
          error: {
            code: 'connection_failed',
            message: `the Play inbox could not record the request: ${(error as Error).message}`,
          },
          privateDestination: false,
        };
      }
      // The answer the inbox's route gives over HTTP (404 unknown, 410 expired).
      const result: SendResult = {
        statusCode: error.status,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ code: error.code, detail: error.message }),
        durationMs: elapsed(),
        error: null,
        privateDestination: false,
      };
      return result;
    }
  };
  return {
    userAgent: http.userAgent,
    // Most URLs are not Play's: they go straight to the client, with no extra step.
    send: (request) =>
      request.url.includes('/play/in/') ? sendOrRecord(request) : http.send(request),
    close: () => http.close(),
  };
}
