// Group commit: work items that arrive in the same turn of the event loop are written in one
// transaction, and each caller gets its own outcome once that transaction has committed.
// With `concurrency`, at most that many writes are in flight: items arriving meanwhile wait
// and form the next group, so groups grow with the load (and round trips do not).

export type Outcome<R> = { ok: true; value: R } | { ok: false; error: unknown };

export type GroupCommitOptions = {
  /** A group this large is written at once; the rest waits for the next. */
  maxBatch?: number;
  /** Writes in flight at most (unbounded when absent). */
  concurrency?: number;
};

type Pending<T, R> = { item: T; resolve: (value: R) => void; reject: (error: unknown) => void };

export function createGroupCommit<T, R>(
  write: (batch: T[]) => Promise<Outcome<R>[]>,
  options: GroupCommitOptions = {},
) {
  const maxBatch = options.maxBatch ?? Number.POSITIVE_INFINITY;
  const concurrency = options.concurrency ?? Number.POSITIVE_INFINITY;
  let pending: Pending<T, R>[] = [];
  let scheduled = false;
  let inFlight = 0;

  const schedule = () => {
    if (scheduled || pending.length === 0 || inFlight >= concurrency) return;
    scheduled = true;
    setImmediate(run);
  };

  const run = async () => {
    scheduled = false;
    if (pending.length === 0 || inFlight >= concurrency) return;
    const batch = pending.length <= maxBatch ? pending : pending.slice(0, maxBatch);
    pending = batch === pending ? [] : pending.slice(maxBatch);
    inFlight++;
    schedule();
    try {
      const outcomes = await write(batch.map((p) => p.item));
      batch.forEach((p, i) => {
        const outcome = outcomes[i];
        if (outcome?.ok) p.resolve(outcome.value);
        else p.reject(outcome ? outcome.error : new Error('no outcome for a grouped write'));
      });
    } catch (error) {
      for (const p of batch) p.reject(error);
    } finally {
      inFlight--;
      schedule();
    }
  };

  return {
    add(item: T): Promise<R> {
      return new Promise<R>((resolve, reject) => {
        pending.push({ item, resolve, reject });
        schedule();
      });
    },
  };
}
