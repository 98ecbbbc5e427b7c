// The retry policy as data (a schedule of waits) plus one pure planner that decides what
// happens after an attempt: done, retry at a time, give up, or disable the endpoint.

/** Seconds to wait after failed attempt n before attempt n+1; the first attempt is immediate. */
export type RetrySchedule = readonly number[];

export type AttemptOutcome =
  | { kind: 'success' }
  | { kind: 'failure'; statusCode?: number | undefined; retryAfter?: string | undefined };

export type NextAttemptPlan =
  | { action: 'done' }
  | { action: 'retry'; at: number }
  | { action: 'give-up' }
  | { action: 'disable-endpoint' };

export function parseRetrySchedule(text: string): RetrySchedule {
  const parts = text.split(',').map((p) => p.trim());
  if (parts.some((p) => !/^\d+$/.test(p))) {
    throw new Error(`a retry schedule is a comma-separated list of whole seconds, not "${text}"`);
  }
  return parts.map(Number);
}

/** A schedule of `retries` waits growing by `factor` from `initialSeconds`, capped at `maxSeconds`. */
export function exponentialSchedule(options: {
  retries: number;
  initialSeconds: number;
  factor: number;
  maxSeconds: number;
}): RetrySchedule {
  const out: number[] = [];
  for (let i = 0; i < options.retries; i++) {
    out.push(
      Math.min(options.maxSeconds, Math.round(options.initialSeconds * options.factor ** i)),
    );
  }
  return out;
}

/** Parses `Retry-After` (delta seconds or an HTTP date) into milliseconds from now. */
export function retryAfterMs(value: string | undefined, now: number): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

export function planNextAttempt(input: {
  /** 1-based number of the attempt that just finished. */
  attemptNumber: number;
  outcome: AttemptOutcome;
  now: number;
  /** A float in [0, 1). */
  random: () => number;
  schedule: RetrySchedule;
  /** ±fraction of each wait, default 0.2. */
  jitter?: number;
  /** Upper bound for a receiver's Retry-After, default 3600 s. */
  retryAfterMaxSeconds?: number;
}): NextAttemptPlan {
  const { outcome } = input;
  if (outcome.kind === 'success') return { action: 'done' };
  if (outcome.statusCode === 410) return { action: 'disable-endpoint' };
  const wait = input.schedule[input.attemptNumber - 1];
  if (wait === undefined) return { action: 'give-up' };
  const jitter = input.jitter ?? 0.2;
  let delay = wait * 1000 * (1 + jitter * (2 * input.random() - 1));
  if (outcome.statusCode === 429 || outcome.statusCode === 503) {
    const asked = retryAfterMs(outcome.retryAfter, input.now);
    if (asked !== null)
      delay = Math.max(delay, Math.min(asked, (input.retryAfterMaxSeconds ?? 3600) * 1000));
  }
  return { action: 'retry', at: input.now + Math.round(delay) };
}
