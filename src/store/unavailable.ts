// The one error a store fails with when its database cannot be reached right now (a server
// restarting, the network down), whatever the engine said: which engine errors those are is
// the adapter's to say (`Capabilities.isUnavailable`); the API answers 503 for it.
export class StoreUnavailableError extends Error {
  constructor(cause: unknown) {
    super('the database cannot be reached right now', { cause });
    this.name = 'StoreUnavailableError';
  }
}
