// A webhook receiver on 127.0.0.1 for tests: records every request (raw body and headers)
// and answers as the test tells it to.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export type ReceivedRequest = {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** Header names and values as they came on the wire, names in their case. */
  rawHeaders: string[];
  body: string;
};

export type Reply =
  | { status: number; headers?: Record<string, string>; body?: string; delayMs?: number }
  | 'hang';

export type Receiver = {
  url: string;
  requests: ReceivedRequest[];
  /** Changes how later requests are answered; `n` counts requests from 1. */
  respond(fn: (request: ReceivedRequest, n: number) => Reply): void;
  /**
   * Forgets the requests and answers as it did when started: a file sharing one receiver
   * calls it in `afterEach`, so a test that fails midway leaves nothing to the next.
   */
  reset(): void;
  close(): Promise<void>;
};

export async function startReceiver(
  respond: (request: ReceivedRequest, n: number) => Reply = () => ({ status: 200, body: 'ok' }),
): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  let answer = respond;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const received = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        rawHeaders: req.rawHeaders,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(received);
      const reply = answer(received, requests.length);
      if (reply === 'hang') return;
      const send = () => {
        res.writeHead(reply.status, reply.headers);
        res.end(reply.body ?? '');
      };
      if (reply.delayMs) setTimeout(send, reply.delayMs);
      else send();
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhook`,
    requests,
    respond: (fn) => {
      answer = fn;
    },
    reset: () => {
      answer = respond;
      requests.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
