// Riders: writes that must be committed soon but not this instant (attempt records) join the
// next transaction that commits, whoever opened it, instead of paying for a commit of their
// own. A commit costs as much as dozens of rows (a WAL append on SQLite, a flush to disk on
// PostgreSQL), so while messages are being published their deliveries' attempts are
// recorded at no commit cost at all. A rider nobody carries within its wait gets a
// transaction of its own.
import type { Database, SqlExecutor } from './database.ts';
import type { Outcome } from './group-commit.ts';

type Rider = {
  fn: (tx: SqlExecutor) => Promise<unknown>;
  /** `fn` runs exactly one statement: alone, it needs no transaction of its own. */
  oneStatement: boolean;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
};

export type BaseDatabase = Omit<Database, 'ride'>;

export function withRiders(base: BaseDatabase): Database {
  let waiting: Rider[] = [];
  let timer: NodeJS.Timeout | null = null;

  /** Runs each rider in a savepoint of its own: one that fails leaves the others in. */
  async function carry(
    tx: SqlExecutor,
    riders: Rider[],
    isolate: boolean,
  ): Promise<Outcome<unknown>[]> {
    const outcomes: Outcome<unknown>[] = [];
    for (const rider of riders) {
      if (!isolate) {
        outcomes.push({ ok: true, value: await rider.fn(tx) });
        continue;
      }
      await tx.run('SAVEPOINT rider');
      try {
        outcomes.push({ ok: true, value: await rider.fn(tx) });
        await tx.run('RELEASE rider');
      } catch (error) {
        try {
          await tx.run('ROLLBACK TO rider');
          await tx.run('RELEASE rider');
        } catch {
          // The failure ended the whole transaction (a full disk on SQLite): no savepoint is
          // left, and the host transaction fails with the rider's error, not this one.
          throw error;
        }
        outcomes.push({ ok: false, error });
      }
    }
    return outcomes;
  }

  function settle(riders: Rider[], outcomes: Outcome<unknown>[]): void {
    riders.forEach((rider, i) => {
      const outcome = outcomes[i];
      if (outcome?.ok) rider.resolve(outcome.value);
      else rider.reject(outcome ? outcome.error : new Error('rider not carried'));
    });
  }

  /** The riders waiting now, taken off the queue. */
  function board(): Rider[] {
    const riders = waiting;
    waiting = [];
    if (timer) clearTimeout(timer);
    timer = null;
    return riders;
  }

  /**
   * Riders nobody carried in time, or whose host failed, in a transaction of their own: its
   * failure is theirs (writes of one kind, with no host to protect, need no savepoints).
   */
  async function alone(riders: Rider[]): Promise<void> {
    if (riders.length === 0) return;
    const [only] = riders;
    if (riders.length === 1 && only?.oneStatement) {
      try {
        only.resolve(await only.fn(base));
      } catch (error) {
        only.reject(error);
      }
      return;
    }
    let outcomes: Outcome<unknown>[] = [];
    try {
      await base.transaction(async (tx) => {
        outcomes = await carry(tx, riders, false);
      });
    } catch (error) {
      for (const rider of riders) rider.reject(error);
      return;
    }
    settle(riders, outcomes);
  }

  async function transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    let riders: Rider[] = [];
    let outcomes: Outcome<unknown>[] = [];
    try {
      const result = await base.transaction(async (tx) => {
        const value = await fn(tx);
        riders = board();
        outcomes = await carry(tx, riders, true);
        return value;
      });
      settle(riders, outcomes);
      return result;
    } catch (error) {
      void alone(riders);
      throw error;
    }
  }

  return {
    ...base,
    transaction,
    ride<T>(
      fn: (tx: SqlExecutor) => Promise<T>,
      maxWaitMs: number,
      options: { oneStatement?: boolean } = {},
    ): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        waiting.push({
          fn,
          oneStatement: options.oneStatement ?? false,
          resolve: resolve as (value: unknown) => void,
          reject,
        });
        timer ??= setTimeout(() => void alone(board()), maxWaitMs);
      });
    },
    async close() {
      await alone(board());
      await base.close();
    },
  };
}
