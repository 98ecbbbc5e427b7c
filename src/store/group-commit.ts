// Group commit: work items that arrive in the same turn of the event loop are written in one
// transaction, and each caller gets its own outcome once that transaction has committed.

export type Outcome<R> = { ok: true; value: R } | { ok: false; error: unknown };

export function createGroupCommit<T, R>(write: (batch: T[]) => Promise<Outcome<R>[]>) {
  let pending: { item: T; resolve: (value: R) => void; reject: (error: unknown) => void }[] = [];
  let scheduled = false;

  const run = async () => {
    scheduled = false;
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
        if (!scheduled) {
          scheduled = true;
          setImmediate(run);
        }
      });
    },
  };
}
