// The retry policy as data (a schedule of waits) plus one pure planner that decides what
// happens after an attempt: done, retry at a given time, give up, or disable the endpoint.
// Time, randomness and the receiver's response come in as arguments, so the planner is
// deterministic under test and shared by every dispatcher.

/**
 * Seconds to wait after failed attempt n before attempt n+1 (the first attempt is immediate),
 * so a schedule of k waits allows k + 1 attempts in total.
 */
export type RetrySchedule = readonly number[];

export type AttemptOutcome =
  | { kind: 'success' }
  | {
      kind: 'failure';
      /** Absent when no response arrived (timeout, connection error, blocked address). */
      statusCode?: number | undefined;
      /** The raw `Retry-After` header: delta-seconds or an HTTP date. */
      retryAfter?: string | undefined;
    };

export type NextAttemptPlan =
  | { action: 'done' }
  | { action: 'retry' /** epoch ms */; at: number }
  | { action: 'give-up' }
  | { action: 'disable-endpoint' };

/** Herald's default (`HERALD_RETRY_SCHEDULE`), which is Svix's: 8 attempts over about 27.6 hours. */
export const defaultRetrySchedule: RetrySchedule = Object.freeze([
  5, 300, 1800, 7200, 18000, 36000, 36000,
]);

const defaultJitter = 0.2;
const defaultRetryAfterMaxSeconds = 3600;
/** Statuses whose `Retry-After` asks us to slow down. */
const throttleStatuses: ReadonlySet<number> = new Set([429, 503]);

/** Parses `"5,300,1800"`: comma-separated whole seconds, spaces allowed around each. */
export function parseRetrySchedule(text: string): RetrySchedule {
  if (text.trim() === '') {
    throw new Error('a retry schedule needs at least one wait, e.g. "5,300,1800" (seconds)');
  }
  return text.split(',').map((part, index) => {
    const item = part.trim();
    const seconds = Number(item);
    if (!/^\d+$/.test(item) || !Number.isSafeInteger(seconds)) {
      throw new Error(
        `a retry schedule is comma-separated whole seconds (e.g. "5,300,1800"); item ${index + 1} of "${text}" is ${item === '' ? 'empty' : `"${item}"`}`,
      );
    }
    return seconds;
  });
}

/**
 * `retries` waits growing by `factor` from `initialSeconds` (rounded to whole seconds), each
 * capped at `maxSeconds`: initial, initial·factor, initial·factor², …
 */
export function exponentialSchedule(options: {
  retries: number;
  initialSeconds: number;
  factor: number;
  maxSeconds: number;
}): RetrySchedule {
  const { retries, initialSeconds, factor, maxSeconds } = options;
  if (!Number.isSafeInteger(retries) || retries < 0) {
    throw new RangeError(`retries must be a whole number ≥ 0, not ${retries}`);
  }
  if (!Number.isFinite(initialSeconds) || initialSeconds < 0) {
    throw new RangeError(`initialSeconds must be ≥ 0, not ${initialSeconds}`);
  }
  if (!Number.isFinite(factor) || factor < 1) {
    throw new RangeError(`factor must be ≥ 1, not ${factor}`);
  }
  if (!Number.isFinite(maxSeconds) || maxSeconds < initialSeconds) {
    throw new RangeError(`maxSeconds must be ≥ initialSeconds, not ${maxSeconds}`);
  }
  const waits: number[] = [];
  for (let i = 0; i < retries; i++) {
    waits.push(Math.min(maxSeconds, Math.round(initialSeconds * factor ** i)));
  }
  return waits;
}

const weekdays = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const months = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const time = '(\\d{2}):(\\d{2}):(\\d{2})';
// RFC 9110 §5.6.7: IMF-fixdate, and the obsolete RFC 850 and asctime forms; all in GMT.
const imfFixdate = new RegExp(`^[a-z]{3}, (\\d{2}) ([a-z]{3}) (\\d{4}) ${time} gmt$`);
const rfc850 = new RegExp(`^[a-z]{6,9}, (\\d{2})-([a-z]{3})-(\\d{2}) ${time} gmt$`);
const asctime = new RegExp(`^[a-z]{3} ([a-z]{3}) ([ \\d]\\d) ${time} (\\d{4})$`);

function utc(
  year: number,
  month: string,
  day: string,
  h: string,
  m: string,
  s: string,
): number | null {
  const monthIndex = months.indexOf(month);
  const [dd, hh, mm, ss] = [day, h, m, s].map(Number) as [number, number, number, number];
  if (monthIndex < 0 || hh > 23 || mm > 59 || ss > 60) return null;
  const date = new Date(Date.UTC(year, monthIndex, dd, hh, mm, Math.min(ss, 59)));
  // Rejects days that roll over into the next month (Feb 30).
  return date.getUTCDate() === dd && date.getUTCFullYear() === year ? date.getTime() : null;
}

/** Epoch ms of an HTTP date in any of its three forms, or null. */
export function parseHttpDate(value: string, now: number): number | null {
  const text = value.trim().toLowerCase();
  if (!weekdays.some((day) => text.startsWith(day))) return null;
  let match = imfFixdate.exec(text);
  if (match) {
    const [, day = '', month = '', year = '', h = '', m = '', s = ''] = match;
    return utc(Number(year), month, day, h, m, s);
  }
  match = rfc850.exec(text);
  if (match) {
    const [, day = '', month = '', yy = '', h = '', m = '', s = ''] = match;
    // A two-digit year more than 50 years ahead means the previous century (RFC 9110).
    const thisYear = new Date(now).getUTCFullYear();
    let year = Math.floor(thisYear / 100) * 100 + Number(yy);
    if (year > thisYear + 50) year -= 100;
    return utc(year, month, day, h, m, s);
  }
  match = asctime.exec(text);
  if (match) {
    const [, month = '', day = '', h = '', m = '', s = '', year = ''] = match;
    return utc(Number(year), month, day.trim(), h, m, s);
  }
  return null;
}

/**
 * The wait a `Retry-After` value asks for, in ms from `now` (never negative; a date in the
 * past is 0), or null when absent or unparseable.
 */
export function retryAfterMs(value: string | undefined, now: number): number | null {
  if (value === undefined) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = parseHttpDate(text, now);
  return at === null ? null : Math.max(0, at - now);
}

/**
 * What to do after an attempt:
 * - success → done; 410 Gone → disable the endpoint at once;
 * - another failure with schedule left → retry after the scheduled wait × (1 ± jitter), the
 *   jitter drawn uniformly from `random`; on 429/503 a `Retry-After` (bounded to
 *   [0, retryAfterMaxSeconds]) replaces that delay when it is longer;
 * - schedule exhausted → give up.
 */
export function planNextAttempt(input: {
  /** 1-based number of the attempt that just finished. */
  attemptNumber: number;
  outcome: AttemptOutcome;
  /** Epoch ms. */
  now: number;
  /** Uniform in [0, 1). */
  random: () => number;
  schedule: RetrySchedule;
  /** Fraction of each wait to spread by, in [0, 1]; default 0.2 (±20 %). */
  jitter?: number;
  /** Upper bound for a receiver's `Retry-After`, in seconds; default 3600. */
  retryAfterMaxSeconds?: number;
}): NextAttemptPlan {
  const { attemptNumber, outcome, now, schedule } = input;
  if (!Number.isSafeInteger(attemptNumber) || attemptNumber < 1) {
    throw new RangeError(`attemptNumber is 1-based, not ${attemptNumber}`);
  }
  const jitter = input.jitter ?? defaultJitter;
  if (!(jitter >= 0 && jitter <= 1))
    throw new RangeError(`jitter must be in [0, 1], not ${jitter}`);
  const retryAfterMax = input.retryAfterMaxSeconds ?? defaultRetryAfterMaxSeconds;
  if (!(retryAfterMax >= 0)) {
    throw new RangeError(`retryAfterMaxSeconds must be ≥ 0, not ${retryAfterMax}`);
  }

  if (outcome.kind === 'success') return { action: 'done' };
  if (outcome.statusCode === 410) return { action: 'disable-endpoint' };
  const wait = schedule[attemptNumber - 1];
  if (wait === undefined) return { action: 'give-up' };

  const r = Math.min(1, Math.max(0, input.random()));
  let delayMs = wait * 1000 * (1 + jitter * (2 * r - 1));
  if (outcome.statusCode !== undefined && throttleStatuses.has(outcome.statusCode)) {
    const asked = retryAfterMs(outcome.retryAfter, now);
    if (asked !== null) delayMs = Math.max(delayMs, Math.min(asked, retryAfterMax * 1000));
  }
  return { action: 'retry', at: now + Math.round(delayMs) };
}
