// Builds the HTTP request of one attempt from the endpoint's effective delivery policy: the
// body (the stored payload bytes, or an envelope, in JSON, XML or form encoding), header
// templates, and the signature over exactly the bytes sent. Credentials in the URL become
// Basic auth (a custom Authorization header wins).
import { contentTypes, toForm, toXml } from '../domain/body-format.ts';
import type { EffectivePolicy } from '../domain/delivery-policy.ts';
import type { Endpoint } from '../domain/endpoint.ts';
import { type Signer, signRawBody, signStandardWebhook } from '../domain/signing.ts';
import { renderEnvelope, renderString, type TemplateContext } from '../domain/template.ts';
import { maskCredentials, splitCredentials } from '../domain/url-credentials.ts';
import type { QueuedMessage } from '../store/queue.ts';

export type RenderedRequest = { url: string; headers: Record<string, string>; body: string };

export type RenderInput = {
  message: QueuedMessage;
  endpoint: Endpoint;
  policy: EffectivePolicy;
  /** Signers of the active secrets (Standard Webhooks schemes). */
  signers: readonly Signer[];
  /** The current secret's text (raw-body HMAC schemes). */
  secret: string;
  attemptId: string;
  attemptNumber: number;
  timestampSeconds: number;
  /** A test request: empty body, still signed and with every header. */
  emptyBody?: boolean;
};

function renderBody(input: RenderInput, context: () => TemplateContext): string {
  const { message, policy } = input;
  if (input.emptyBody) return '';
  // A raw payload is sent exactly as it was given, whatever the format and envelope.
  if (message.contentType) return message.payload ?? '';
  const raw = message.payload ?? '{}';
  if (policy.envelope === null && policy.format === 'json') return raw;
  const value =
    policy.envelope === null ? JSON.parse(raw) : renderEnvelope(policy.envelope, context());
  if (policy.format === 'xml') return toXml(value);
  if (policy.format === 'form') return toForm(value);
  return JSON.stringify(value);
}

/** The payload as a value for templates; a raw payload that is not JSON reads as its text. */
function payloadValue(message: QueuedMessage): unknown {
  if (message.payload === null) return null;
  if (!message.contentType) return JSON.parse(message.payload);
  try {
    return JSON.parse(message.payload);
  } catch {
    return message.payload;
  }
}

export function renderRequest(input: RenderInput): RenderedRequest {
  const { message, endpoint, policy } = input;
  let cached: TemplateContext | null = null;
  const context = (): TemplateContext => {
    cached ??= {
      msg: {
        id: message.id,
        eventId: message.eventId,
        eventType: message.eventType,
        timestamp: new Date(message.createdAt).toISOString(),
      },
      payload: payloadValue(message),
      attempt: { id: input.attemptId, number: input.attemptNumber },
      endpoint: { id: endpoint.id, uid: endpoint.uid, url: maskCredentials(endpoint.url) },
      source: policy.source,
    };
    return cached;
  };
  const body = renderBody(input, context);

  // Custom header names keep the case they were given; a later name replaces an earlier one
  // that differs only in case.
  const headers: Record<string, string> = {};
  const set = (name: string, value: string) => {
    for (const key of Object.keys(headers))
      if (key !== name && key.toLowerCase() === name.toLowerCase()) delete headers[key];
    headers[name] = value;
  };
  const { url, authorization } = splitCredentials(endpoint.url);
  if (authorization) headers.authorization = authorization;
  for (const [name, value] of Object.entries(endpoint.headers)) set(name, value);
  for (const [name, template] of Object.entries(policy.headers)) {
    set(name, renderString(template, context()));
  }
  if (policy.userAgent) set('user-agent', renderString(policy.userAgent, context()));
  if (!input.emptyBody)
    headers['content-type'] = message.contentType ?? contentTypes[policy.format];

  const signature = policy.signature;
  if (signature.scheme === 'standard' || signature.scheme === 'svix') {
    const prefix = signature.scheme === 'svix' ? 'svix' : 'webhook';
    headers[`${prefix}-id`] = message.id;
    headers[`${prefix}-timestamp`] = String(input.timestampSeconds);
    headers[`${prefix}-signature`] = signStandardWebhook(
      input.signers,
      message.id,
      input.timestampSeconds,
      body,
    );
  } else if (signature.scheme === 'hmac-sha256') {
    headers[signature.header.toLowerCase()] =
      `${signature.prefix ?? ''}${signRawBody(input.secret, body, signature.encoding)}`;
  }
  return { url, headers, body };
}
