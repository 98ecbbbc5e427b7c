// What the dispatcher tells the rest of Herald: each recorded attempt (to an observer, for
// metrics and logs) and its own state (for health checks).
import type { MessageAttempt } from '../domain/message.ts';

/** One recorded attempt, as observers see it. */
export type AttemptObservation = {
  attempt: MessageAttempt;
  ok: boolean;
  /** Why nothing usable came back (timeout, connection_failed, ...), or null. */
  errorCode: string | null;
  attemptNumber: number;
  /** When the message was published. */
  messageCreatedAt: number;
  /** The id of the API request that published the message, when it was sent at once. */
  reqId: string | undefined;
};

export type DispatcherObserver = {
  attemptRecorded(observation: AttemptObservation): void;
};

/** What the dispatcher is doing, for health checks. */
export type DispatcherState = {
  running: boolean;
  /** When the loop last went round (null: never). */
  lastTickAt: number | null;
  /** Attempts being sent or recorded now. */
  inFlight: number;
  /** Claims that failed since start, and in a row now. */
  claimErrors: number;
  consecutiveClaimErrors: number;
  /** The longest the loop sleeps when idle: a loop silent for much longer is stuck. */
  maxIdleMs: number;
};
