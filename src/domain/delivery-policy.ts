// How Herald delivers to an endpoint: signature scheme, body format, envelope, header
// templates, timeout, retries, disable rule, HTTPS-only. A policy is plain data; named presets
// are policies too. The effective policy of an endpoint is the server's defaults, overlaid by
// its application's policy, then by its own (a preset first, then the explicit fields).
import { invalid } from './errors.ts';
import { exponentialSchedule } from './retry-plan.ts';

export type SignatureScheme =
  /** Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature` (v1 / v1a). */
  | { scheme: 'standard' }
  /** The same signatures under `svix-id`, `svix-timestamp`, `svix-signature`. */
  | { scheme: 'svix' }
  /** HMAC-SHA256 of the raw body alone, keyed by the secret's text, in one header. */
  | { scheme: 'hmac-sha256'; header: string; encoding: 'hex' | 'base64'; prefix?: string }
  /** No signature. */
  | { scheme: 'none' };

export type BodyFormat = 'json' | 'xml' | 'form';

/** The test request's body: a sample event in the endpoint's format, or nothing at all. */
export type TestBody = 'sample' | 'empty';

export type RetryRule =
  | { schedule: number[] }
  | { retries: number; initialSeconds: number; factor: number; maxSeconds: number };

export type DeliveryPolicy = {
  /** A named preset whose fields apply under the explicit ones. */
  preset?: string;
  signature?: SignatureScheme;
  format?: BodyFormat;
  /** A JSON template of the body; see `renderEnvelope`. Absent: the payload as published. */
  envelope?: unknown;
  /** Extra headers whose values are templates (`{{eventType}}`, `{{attempt.id}}`, ...). */
  headers?: Record<string, string>;
  /** The User-Agent, a template too. */
  userAgent?: string;
  /** A URL naming the sending installation, for templates (`{{source}}`). */
  source?: string;
  timeoutSeconds?: number;
  retry?: RetryRule;
  /** Disable the endpoint after this many consecutive deliveries exhausted their retries; null: never. */
  disableAfterExhausted?: number | null;
  /** Disable the endpoint after failing with no success for this many hours; null: never. */
  failureWindowHours?: number | null;
  httpsOnly?: boolean;
  /** Whether 410 Gone disables the endpoint at once (default); false: only that message fails. */
  disableOnGone?: boolean;
  testBody?: TestBody;
};

/** Every field resolved: what the dispatcher uses. */
export type EffectivePolicy = {
  signature: SignatureScheme;
  format: BodyFormat;
  envelope: unknown;
  headers: Record<string, string>;
  userAgent: string | null;
  source: string | null;
  timeoutSeconds: number;
  retrySchedule: readonly number[];
  disableAfterExhausted: number | null;
  failureWindowHours: number | null;
  httpsOnly: boolean;
  disableOnGone: boolean;
  testBody: TestBody;
};

export const presets: Record<string, DeliveryPolicy> = {
  'standard-webhooks': { signature: { scheme: 'standard' } },
  svix: {
    signature: { scheme: 'svix' },
    format: 'json',
    timeoutSeconds: 15,
    retry: { schedule: [5, 300, 1800, 7200, 18000, 36000, 36000] },
    disableAfterExhausted: null,
    failureWindowHours: 120,
    testBody: 'sample',
  },
  fourvenues: {
    format: 'json',
    envelope: { id: '{{msg.id}}', event: '{{msg.eventType}}', payload: '{{payload}}' },
    signature: { scheme: 'hmac-sha256', header: 'X-Fourvenues-Signature', encoding: 'hex' },
    retry: { retries: 40, initialSeconds: 30, factor: 1.5, maxSeconds: 10_800 },
    // The event is marked failed; the endpoint is never disabled.
    disableAfterExhausted: null,
    failureWindowHours: null,
    disableOnGone: false,
    testBody: 'sample',
  },
  'generic-rest': {
    envelope: {
      id: '{{msg.id}}',
      type: '{{msg.eventType}}',
      created_at: '{{msg.timestamp}}',
      data: { object: '{{payload.object}}' },
      previous_data: '{{payload.previous_data}}',
    },
    signature: { scheme: 'hmac-sha256', header: 'X-Webhook-Signature', encoding: 'hex' },
    format: 'json',
    timeoutSeconds: 5,
    retry: { schedule: [60, 300, 1800, 7200] },
    disableAfterExhausted: 1,
    failureWindowHours: null,
    testBody: 'sample',
  },
  // The format (json, xml or form) is chosen per webhook; JSON unless the endpoint says.
  checkfront: {
    signature: { scheme: 'none' },
    format: 'json',
    retry: { schedule: [60, 300, 1800, 3600, 7200] },
    disableAfterExhausted: 1,
    failureWindowHours: null,
    testBody: 'sample',
  },
  // The producer supplies `source` (its site's URL) for the X-FE-Webhook-Source header.
  'fast-events': {
    httpsOnly: true,
    format: 'json',
    testBody: 'empty',
    signature: { scheme: 'hmac-sha256', header: 'X-FE-Webhook-Signature', encoding: 'base64' },
    userAgent: 'Fast-Events/1.6.0 (Herald)',
    headers: {
      'X-FE-Webhook-ID': '{{endpoint.id}}',
      'X-FE-Webhook-Source': '{{source}}',
      'X-FE-Webhook-Topic': '{{eventType}}',
      'X-FE-Webhook-Resource': '{{eventType.resource}}',
      'X-FE-Webhook-Event': '{{eventType.event}}',
      'X-FE-Webhook-Delivery-ID': '{{attempt.id}}',
    },
  },
};

export type ServerDefaults = {
  signatureHeaders: 'standard' | 'svix';
  timeoutSeconds: number;
  retrySchedule: readonly number[];
  failureWindowHours: number;
};

function expand(policy: DeliveryPolicy | null | undefined): DeliveryPolicy {
  if (!policy) return {};
  const base = policy.preset ? (presets[policy.preset] ?? {}) : {};
  const { preset: _preset, ...own } = policy;
  return { ...base, ...own, headers: { ...base.headers, ...own.headers } };
}

/**
 * Refuses, as a 422 at `body.policy`, what a policy's schema cannot say: an exponential retry
 * rule whose cap is below its first wait, which no schedule can follow.
 */
export function checkPolicy(policy: DeliveryPolicy | null | undefined): void {
  const retry = policy?.retry;
  if (retry && 'maxSeconds' in retry && retry.maxSeconds < retry.initialSeconds) {
    throw invalid(['body', 'policy', 'retry', 'maxSeconds'], 'must be at least initialSeconds');
  }
}

export function scheduleOf(rule: RetryRule): number[] {
  return 'schedule' in rule ? [...rule.schedule] : [...exponentialSchedule(rule)];
}

/** The endpoint's effective policy: defaults < application policy < endpoint policy. */
export function effectivePolicy(
  defaults: ServerDefaults,
  appPolicy: DeliveryPolicy | null | undefined,
  endpointPolicy: DeliveryPolicy | null | undefined,
): EffectivePolicy {
  const app = expand(appPolicy);
  const own = expand(endpointPolicy);
  const merged: DeliveryPolicy = { ...app, ...own, headers: { ...app.headers, ...own.headers } };
  return {
    signature: merged.signature ?? { scheme: defaults.signatureHeaders },
    format: merged.format ?? 'json',
    envelope: merged.envelope ?? null,
    headers: merged.headers ?? {},
    userAgent: merged.userAgent ?? null,
    source: merged.source ?? null,
    timeoutSeconds: merged.timeoutSeconds ?? defaults.timeoutSeconds,
    retrySchedule: merged.retry ? scheduleOf(merged.retry) : defaults.retrySchedule,
    disableAfterExhausted: merged.disableAfterExhausted ?? null,
    failureWindowHours:
      merged.failureWindowHours === undefined
        ? defaults.failureWindowHours
        : merged.failureWindowHours,
    httpsOnly: merged.httpsOnly ?? false,
    disableOnGone: merged.disableOnGone ?? true,
    testBody: merged.testBody ?? 'sample',
  };
}

/** Whether the policy signs with the secret's raw text (caller-chosen secrets allowed). */
export function usesRawSecret(policy: EffectivePolicy): boolean {
  return policy.signature.scheme === 'hmac-sha256';
}

/** Whether the policy signs Standard Webhooks style (webhook-* or svix-* headers). */
export function signsStandardWebhooks(policy: EffectivePolicy): boolean {
  return policy.signature.scheme === 'standard' || policy.signature.scheme === 'svix';
}
