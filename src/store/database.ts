// The SQL port under the store. Statements are written once, with `?` placeholders (the
// hot-path `.sql` files name theirs, see sql/statements.ts), and each adapter declares how its
// dialect differs (capabilities) instead of callers branching.

export type SqlValue = string | number | bigint | null | Uint8Array;

export type RunResult = { changes: number };

export interface SqlExecutor {
  all<T = Record<string, unknown>>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  get<T = Record<string, unknown>>(
    sql: string,
    params?: readonly SqlValue[],
  ): Promise<T | undefined>;
  run(sql: string, params?: readonly SqlValue[]): Promise<RunResult>;
}

export type DialectName = 'sqlite' | 'postgres';

/** What differs between the SQL engines, declared once per adapter. */
export type Capabilities = {
  dialect: DialectName;
  /**
   * One process owns the database (embedded SQLite): at start, every claimed delivery is
   * known to belong to a process that died, so it is released at once instead of waiting
   * for its lease to run out.
   */
  singleProcess: boolean;
  /**
   * Batched writes run one prepared statement per row (an embedded engine has no round trip
   * to save, and binding values beats parsing a JSON array) instead of one statement over a
   * JSON array of rows.
   */
  rowAtATime: boolean;
  /** Whether an error is a unique-constraint violation. */
  isUniqueViolation(error: unknown): boolean;
  /**
   * Whether an error means the database cannot serve right now, and why: `unreachable` (a
   * server restarting, the network down) or `storage` (its disk full, read-only or failing).
   * The store names it with StoreUnavailableError, and the API answers 503.
   */
  unavailable(error: unknown): Unavailability | null;
  /**
   * Whether a statement that failed with `error` was undone alone, the transaction going on
   * (SQLite, on a constraint violation). Absent where any failure aborts the whole
   * transaction (PostgreSQL): work that may fail runs inside a savepoint there.
   */
  undoesFailedStatement?(error: unknown): boolean;
};

export interface Database extends SqlExecutor {
  readonly capabilities: Capabilities;
  /** Runs `fn` in one transaction; nothing else runs on the connection it holds meanwhile. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` in the next transaction that commits, opened by anyone, or in one of its own
   * after `maxWaitMs` (see riders.ts); resolves once that transaction has committed. A
   * `oneStatement` rider (`fn` runs exactly one statement, atomic by itself) that nobody
   * carries runs with no transaction around it: one round trip instead of three.
   */
  ride<T>(
    fn: (tx: SqlExecutor) => Promise<T>,
    maxWaitMs: number,
    options?: { oneStatement?: boolean },
  ): Promise<T>;
  /** Applies every migration not yet applied; safe to call at each start. */
  migrate(): Promise<string[]>;
  /** True when the database answers. */
  ping(): Promise<boolean>;
  /** Tells workers on every node that deliveries are due (no-op where one process owns it). */
  notify(): Promise<void>;
  /** Calls `listener` when any node notifies; returns the unsubscribe function. */
  onNotify(listener: () => void): () => void;
  close(): Promise<void>;
}

/** Why a database cannot serve right now; see `Capabilities.unavailable`. */
export type Unavailability = 'unreachable' | 'storage';
