// Builds the HTTP request of one attempt: the stored payload bytes as the body, the
// endpoint's custom headers, and the signature headers over exactly those bytes.
import type { Endpoint } from '../domain/endpoint.ts';
import { type Signer, signStandardWebhook } from '../domain/signing.ts';
import type { QueuedMessage } from '../store/queue.ts';

export type RenderedRequest = { url: string; headers: Record<string, string>; body: string };

export function renderRequest(input: {
  message: QueuedMessage;
  endpoint: Endpoint;
  signers: readonly Signer[];
  timestampSeconds: number;
  signatureHeaders: 'standard' | 'svix';
}): RenderedRequest {
  const { message, endpoint } = input;
  const body = message.payload ?? '{}';
  const prefix = input.signatureHeaders === 'svix' ? 'svix' : 'webhook';
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(endpoint.headers)) headers[name.toLowerCase()] = value;
  headers['content-type'] = 'application/json';
  headers[`${prefix}-id`] = message.id;
  headers[`${prefix}-timestamp`] = String(input.timestampSeconds);
  headers[`${prefix}-signature`] = signStandardWebhook(
    input.signers,
    message.id,
    input.timestampSeconds,
    body,
  );
  return { url: endpoint.url, headers, body };
}
