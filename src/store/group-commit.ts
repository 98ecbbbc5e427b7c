// Group commit: work items that arrive in the same turn of the event loop (or, with
// `lingerMs`, within that many milliseconds) are written in one transaction, and each caller
// gets its own outcome once that transaction has committed.

export type Outcome<R> = { ok: true; value: R } | { ok: false; error: unknown };

export type GroupCommitOptions = {
  /**
   * How long the first item of a group waits for company. Worth it where nobody waits on
   * the write (attempt records): each commit costs as much as dozens of rows.
   */
  lingerMs?: number;
  /** A group this large is written at once, lingering or not. */
  maxBatch?: number;
};

export function createGroupCommit<T, R>(
  write: (batch: T[]) => Promise<Outcome<R>[]>,
  options: GroupCommitOptions = {},
) {
  const lingerMs = options.lingerMs ?? 0;
  const maxBatch = options.maxBatch ?? Number.POSITIVE_INFINITY;
  let pending: { item: T; resolve: (value: R) => void; reject: (error: unknown) => void }[] = [];
  let scheduled = false;
  let timer: NodeJS.Timeout | null = null;

  const run = async () => {
    scheduled = false;
    if (timer) clearTimeout(timer);
    timer = null;
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    try {
      const outcomes = await write(batch.map((p) => p.item));
      batch.forEach((p, i) => {
        const outcome = outcomes[i];
        if (outcome?.ok) p.resolve(outcome.value);
        else p.reject(outcome ? outcome.error : new Error('no outcome for a grouped write'));
      });
    } catch (error) {
      for (const p of batch) p.reject(error);
    }
  };

  return {
    add(item: T): Promise<R> {
      return new Promise<R>((resolve, reject) => {
        pending.push({ item, resolve, reject });
        if (scheduled) return;
        if (lingerMs > 0 && pending.length < maxBatch) {
          timer ??= setTimeout(run, lingerMs);
        } else {
          scheduled = true;
          setImmediate(run);
        }
      });
    },
  };
}
