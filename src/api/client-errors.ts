// Requests Node's HTTP parser refuses before Fastify routes them (headers too large, a
// malformed request line) answer in the same `{code, detail}` shape as every other error.
import type { Socket } from 'node:net';
import { HeraldError } from '../domain/errors.ts';
import { errorBody } from './errors.ts';

const statusTexts: Record<number, string> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  431: 'Request Header Fields Too Large',
};

function clientError(error: Error & { code?: string }): HeraldError {
  if (error.code === 'HPE_HEADER_OVERFLOW')
    return new HeraldError('headers_too_large', 'the request headers are too large');
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT')
    return new HeraldError('request_timeout', 'the request took too long to arrive');
  return new HeraldError('generic_error', 'the HTTP request is malformed');
}

export function handleClientError(error: Error & { code?: string }, socket: Socket): void {
  // A connection that broke or already answered needs no answer.
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const herald = clientError(error);
  const body = JSON.stringify(errorBody(herald));
  socket.end(
    `HTTP/1.1 ${herald.status} ${statusTexts[herald.status] ?? 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
