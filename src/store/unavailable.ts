// The one error a store fails with when its database cannot serve right now (a server
// restarting, the network down, a full or read-only disk), whatever the engine said: which
// engine errors those are is the adapter's to say (`Capabilities.unavailable`); the API
// answers 503 for it.
import type { Unavailability } from './database.ts';

export class StoreUnavailableError extends Error {
  readonly reason: Unavailability;

  constructor(cause: unknown, reason: Unavailability = 'unreachable') {
    super(
      reason === 'storage'
        ? 'the database cannot store anything right now (its disk is full, read-only or failing)'
        : 'the database cannot be reached right now',
      { cause },
    );
    this.reason = reason;
    this.name = 'StoreUnavailableError';
  }
}
