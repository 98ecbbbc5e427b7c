// How Herald delivers to an endpoint: signature scheme, body format, envelope, header
// templates, timeout, retries, disable rule, HTTPS-only. A policy is plain data; named presets
// are policies too. The effective policy of an endpoint is the server's defaults, overlaid by
// its application's policy, then by its own (a preset first, then the explicit fields).
import { invalid, ValidationError } from './errors.ts';
import { defaultRetrySchedule, exponentialSchedule } from './retry-plan.ts';

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
    // Herald's default schedule is Svix's; the preset keeps it whatever the server's setting.
    retry: { schedule: [...defaultRetrySchedule] },
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
  /** What the operator lets policies set; effective policies are held within them. */
  limits?: PolicyLimits;
};

/**
 * The operator's bounds on what an application may set (HERALD_MAX_TIMEOUT_SECONDS,
 * HERALD_MIN_RETRY_INTERVAL_SECONDS, HERALD_MAX_ATTEMPTS). A policy given through the API
 * beyond them is refused; presets and policies stored before are held within them.
 */
export type PolicyLimits = {
  maxTimeoutSeconds: number;
  /** The shortest wait before a retry, every retry of the schedule included. */
  minRetryIntervalSeconds: number;
  /** Attempts of one delivery at most: the first and its retries. */
  maxAttempts: number;
};

/** A policy field beyond the operator's limits: where, and why. */
export type PolicyLimitIssue = { loc: (string | number)[]; msg: string };

/** The fields a policy sets itself (not through its preset) that exceed the limits. */
export function policyLimitIssues(
  policy: DeliveryPolicy | null | undefined,
  limits: PolicyLimits,
): PolicyLimitIssue[] {
  const issues: PolicyLimitIssue[] = [];
  if (!policy) return issues;
  if (policy.timeoutSeconds !== undefined && policy.timeoutSeconds > limits.maxTimeoutSeconds) {
    issues.push({
      loc: ['timeoutSeconds'],
      msg: `at most ${limits.maxTimeoutSeconds} seconds on this server (HERALD_MAX_TIMEOUT_SECONDS)`,
    });
  }
  if (policy.retry) {
    const schedule = scheduleOf(policy.retry);
    const loc = ['retry', 'schedule' in policy.retry ? 'schedule' : 'initialSeconds'];
    if (schedule.some((seconds) => seconds < limits.minRetryIntervalSeconds)) {
      issues.push({
        loc,
        msg: `retries wait at least ${limits.minRetryIntervalSeconds} seconds on this server (HERALD_MIN_RETRY_INTERVAL_SECONDS)`,
      });
    }
    if (schedule.length + 1 > limits.maxAttempts) {
      issues.push({
        loc: ['retry', 'schedule' in policy.retry ? 'schedule' : 'retries'],
        msg: `at most ${limits.maxAttempts} attempts (${limits.maxAttempts - 1} retries) on this server (HERALD_MAX_ATTEMPTS)`,
      });
    }
  }
  return issues;
}

/** Refuses (422) a policy given through the API that sets fields beyond the limits. */
export function checkPolicyLimits(
  policy: DeliveryPolicy | null | undefined,
  limits: PolicyLimits | undefined,
  loc: (string | number)[],
): void {
  // A rule no schedule can follow is refused as such before its schedule is measured.
  checkPolicy(policy, loc);
  if (!limits) return;
  const issues = policyLimitIssues(policy, limits);
  if (issues.length > 0) {
    throw new ValidationError(
      issues.map((i) => ({ loc: [...loc, ...i.loc], msg: i.msg, type: 'value_error.limit' })),
    );
  }
}

/** A retry schedule held within the limits: no shorter waits, no more retries. */
function limitSchedule(schedule: readonly number[], limits: PolicyLimits | undefined) {
  if (!limits) return schedule;
  return schedule
    .slice(0, Math.max(0, limits.maxAttempts - 1))
    .map((seconds) => Math.max(seconds, limits.minRetryIntervalSeconds));
}

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
function checkPolicy(
  policy: DeliveryPolicy | null | undefined,
  loc: (string | number)[] = ['body', 'policy'],
): void {
  const retry = policy?.retry;
  if (retry && 'maxSeconds' in retry && retry.maxSeconds < retry.initialSeconds) {
    throw invalid([...loc, 'retry', 'maxSeconds'], 'must be at least initialSeconds');
  }
}

export function scheduleOf(rule: RetryRule): number[] {
  return 'schedule' in rule ? [...rule.schedule] : [...exponentialSchedule(rule)];
}

/**
 * What the application's and the endpoint's policies set (presets expanded, the endpoint's
 * fields over the application's), before the server's defaults fill in the rest.
 */
export function layeredPolicy(
  appPolicy: DeliveryPolicy | null | undefined,
  endpointPolicy: DeliveryPolicy | null | undefined,
): DeliveryPolicy {
  const app = expand(appPolicy);
  const own = expand(endpointPolicy);
  return { ...app, ...own, headers: { ...app.headers, ...own.headers } };
}

/** The endpoint's effective policy: defaults < application policy < endpoint policy. */
export function effectivePolicy(
  defaults: ServerDefaults,
  appPolicy: DeliveryPolicy | null | undefined,
  endpointPolicy: DeliveryPolicy | null | undefined,
): EffectivePolicy {
  const merged = layeredPolicy(appPolicy, endpointPolicy);
  return {
    signature: merged.signature ?? { scheme: defaults.signatureHeaders },
    format: merged.format ?? 'json',
    envelope: merged.envelope ?? null,
    headers: merged.headers ?? {},
    userAgent: merged.userAgent ?? null,
    source: merged.source ?? null,
    timeoutSeconds: Math.min(
      merged.timeoutSeconds ?? defaults.timeoutSeconds,
      defaults.limits?.maxTimeoutSeconds ?? Number.POSITIVE_INFINITY,
    ),
    retrySchedule: merged.retry
      ? limitSchedule(scheduleOf(merged.retry), defaults.limits)
      : defaults.retrySchedule,
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

/**
 * Whether the policy signs with the secret's raw text (caller-chosen secrets allowed). The
 * server's defaults never choose such a scheme, so a layered policy answers as well.
 */
export function usesRawSecret(policy: Pick<DeliveryPolicy, 'signature'>): boolean {
  return policy.signature?.scheme === 'hmac-sha256';
}

/** Whether the policy signs Standard Webhooks style (webhook-* or svix-* headers). */
export function signsStandardWebhooks(policy: EffectivePolicy): boolean {
  return policy.signature.scheme === 'standard' || policy.signature.scheme === 'svix';
}
