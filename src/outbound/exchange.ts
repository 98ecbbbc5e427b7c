// One request's exchange with a receiver, once it is sent: its deadline over the whole
// exchange, the cap on the response body kept, and its one result (see http-client.ts, which
// makes the request and guards where it goes).
import { errors as undiciErrors } from 'undici';
import type { SendErrorCode, SendResult } from './request.ts';

/** How one exchange learns whether its request went to an allowed private address. */
export type Destination = {
  /** Asked once the request is on a connection, and again when its response starts. */
  reachedPrivate(): boolean;
  /** Asked of an error that ended the exchange (a failed connection, say). */
  privateError(error: unknown): boolean;
};

export class DeadlineError extends Error {}
class BodyCapReached extends Error {}

/**
 * One request's exchange, as an undici dispatch handler: no response stream, no promise
 * per step. It settles once: on the response's end, on an error, or at its deadline.
 */
export class Exchange {
  readonly deadline: number;
  private controller: { abort(reason: Error): void } | null = null;
  private settled = false;
  private statusCode = 0;
  private headers: Record<string, string> = {};
  private chunks: Buffer[] = [];
  private kept = 0;

  private toPrivate = false;

  private readonly started: number;
  private readonly timeoutMs: number;
  private readonly maxBytes: number;
  private readonly destination: Destination;
  private readonly done: (result: SendResult) => void;

  constructor(
    started: number,
    timeoutMs: number,
    maxBytes: number,
    destination: Destination,
    done: (result: SendResult) => void,
  ) {
    this.started = started;
    this.timeoutMs = timeoutMs;
    this.maxBytes = maxBytes;
    this.destination = destination;
    this.done = done;
    this.deadline = started + timeoutMs;
  }

  /** The deadline passed: answer now, and abort the request if it has started. */
  expire(): void {
    this.controller?.abort(new DeadlineError());
    this.toPrivate ||= this.destination.reachedPrivate();
    this.settle(
      failure('timeout', `no complete response within ${this.timeoutMs} ms`, this.started),
    );
  }

  onRequestStart(controller: { abort(reason: Error): void }): void {
    this.controller = controller;
    this.toPrivate ||= this.destination.reachedPrivate();
    if (this.settled) controller.abort(new DeadlineError());
  }

  onResponseStart(
    _controller: unknown,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    this.toPrivate ||= this.destination.reachedPrivate();
    this.statusCode = statusCode;
    const flat: Record<string, string> = {};
    for (const name in headers) {
      const value = headers[name];
      if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    this.headers = flat;
  }

  onResponseData(controller: { abort(reason: Error): void }, chunk: Buffer): void {
    if (this.kept >= this.maxBytes) return;
    const part =
      chunk.length > this.maxBytes - this.kept
        ? chunk.subarray(0, this.maxBytes - this.kept)
        : chunk;
    this.chunks.push(part);
    this.kept += part.length;
    // Enough kept: the rest is not read.
    if (this.kept >= this.maxBytes) controller.abort(new BodyCapReached());
  }

  onResponseEnd(): void {
    this.settle(this.response());
  }

  onResponseError(_controller: unknown, error: Error): void {
    if (error instanceof BodyCapReached) {
      this.settle(this.response());
      return;
    }
    this.toPrivate ||= this.destination.privateError(error);
    this.settle(classify(error, this.timeoutMs, this.started));
  }

  private response(): SendResult {
    const code = this.statusCode;
    const body =
      this.chunks.length === 0
        ? ''
        : this.chunks.length === 1
          ? (this.chunks[0] as Buffer).toString('utf8')
          : Buffer.concat(this.chunks).toString('utf8');
    const durationMs = Math.round(performance.now() - this.started);
    const redirect =
      code >= 300 && code < 400
        ? {
            code: 'redirect' as const,
            message: `redirect (${code}) to ${this.headers.location ?? 'nowhere'} not followed`,
          }
        : null;
    return {
      statusCode: code,
      headers: this.headers,
      body,
      durationMs,
      error: redirect,
      privateDestination: false,
    };
  }

  private settle(result: SendResult): void {
    if (this.settled) return;
    this.settled = true;
    result.privateDestination = this.toPrivate;
    this.done(result);
  }
}

export function failure(code: SendErrorCode, message: string, started: number): SendResult {
  return {
    statusCode: null,
    headers: {},
    body: '',
    durationMs: Math.round(performance.now() - started),
    error: { code, message },
    privateDestination: false,
  };
}

export class BlockedDestinationError extends Error {
  readonly code = 'HERALD_DESTINATION_BLOCKED';
}

function classify(error: unknown, timeoutMs: number, started: number): SendResult {
  const fail = (code: SendErrorCode, message: string) => failure(code, message, started);
  const e = error as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const code = e?.code ?? e?.cause?.code;
  if (error instanceof BlockedDestinationError || e?.cause instanceof BlockedDestinationError) {
    return fail('destination_blocked', (e.cause ?? e).message);
  }
  if (
    error instanceof DeadlineError ||
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
