// What the benchmark rows share: the receiver process, Herald processes with RSS and CPU
// sampling, and HTTP load from keep-alive undici pools.
import { type ChildProcess, fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { Pool } from 'undici';
import { type HeraldProcess, heapFlags, startHerald } from '../test/helpers/herald-process.ts';
import type { StallStats } from './stall-probe.ts';

/** Wall-clock milliseconds, comparable across the benchmark's processes. */
export const wallNow = () => performance.timeOrigin + performance.now();

export const token = 'bench_admin_token_0123456789abcdef';
export const body1k = (extra: Record<string, unknown> = {}) => ({
  ...extra,
  data: 'x'.repeat(1000),
});

export type ReceiverStats = {
  count: number;
  /** Requests to /hang/ paths, never answered (not in `count`). */
  hung: number;
  firstAt: number;
  lastAt: number;
  latencies: number[];
  /** The receiver's own CPU time since it started (user + system), in µs. */
  cpuUs: number;
};

/** A helper process of the benchmark's, forked and asked questions over IPC. */
class Forked {
  protected readonly child: ChildProcess;

  protected constructor(child: ChildProcess) {
    this.child = child;
  }

  /** Forks `file` and waits for its first message. */
  protected static async fork<M>(file: string): Promise<{ child: ChildProcess; first: M }> {
    const child = fork(join(import.meta.dirname, file), { stdio: 'inherit' });
    const first = await new Promise<M>((resolve) => child.once('message', (m) => resolve(m as M)));
    return { child, first };
  }

  protected ask<T>(type: string): Promise<T> {
    return new Promise((resolve) => {
      this.child.once('message', (m) => resolve(m as T));
      this.child.send({ type });
    });
  }

  async stop(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.send({ type: 'stop' });
    await exited;
  }
}

export class Receiver extends Forked {
  readonly url: string;

  private constructor(child: ChildProcess, port: number) {
    super(child);
    this.url = `http://127.0.0.1:${port}/hook`;
  }

  static async start(): Promise<Receiver> {
    const { child, first } = await Forked.fork<{ port: number }>('receiver.ts');
    return new Receiver(child, first.port);
  }

  stats = () => this.ask<ReceiverStats>('stats');
  reset = () => this.ask<unknown>('reset');

  /** Waits until `count` requests have arrived (or `timeoutMs` passed). */
  async waitFor(count: number, timeoutMs: number): Promise<ReceiverStats> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const stats = await this.stats();
      if (stats.count >= count || Date.now() > deadline) return stats;
      await sleep(20);
    }
  }
}

/** The idle process of stall-probe.ts: how often the machine itself stalls a process. */
export class StallProbe extends Forked {
  static async start(): Promise<StallProbe> {
    const { child } = await Forked.fork<unknown>('stall-probe.ts');
    return new StallProbe(child);
  }

  stats = () => this.ask<StallStats>('stats');
  reset = () => this.ask<unknown>('reset');
}

/** Peak RSS and CPU time of a process, sampled from /proc. */
export class ProcessMeter {
  peakRssMb = 0;
  private readonly timer: NodeJS.Timeout;
  private startCpu: number;
  private endCpu: number | null = null;
  private readonly pid: number;

  constructor(pid: number) {
    this.pid = pid;
    this.startCpu = cpuMs(pid);
    this.timer = setInterval(() => {
      this.peakRssMb = Math.max(this.peakRssMb, rssMb(pid));
    }, 100);
  }

  /** Counts CPU from now on (peak RSS still covers the whole run): the end of a warm-up. */
  restartCpu(): void {
    this.startCpu = cpuMs(this.pid);
  }

  /** CPU milliseconds (user + system) used between start (or restart) and stop. */
  cpuMs(): number {
    return (this.endCpu ?? cpuMs(this.pid)) - this.startCpu;
  }

  /** Stops sampling; call it while the process still runs. */
  stop(): void {
    this.peakRssMb = Math.max(this.peakRssMb, rssMb(this.pid));
    this.endCpu = cpuMs(this.pid);
    clearInterval(this.timer);
  }
}

/**
 * CPU time used by every process on the machine, from /proc/stat (user, nice, system, irq
 * and softirq; not idle, I/O wait or time the host took back): what a row cost the whole
 * machine, the database server and the load generators included.
 */
export class MachineMeter {
  private readonly start = machineBusyUs();
  private end: number | null = null;

  /** CPU µs used on the machine between start and stop. */
  busyUs(): number {
    return (this.end ?? machineBusyUs()) - this.start;
  }

  stop(): void {
    this.end ??= machineBusyUs();
  }
}

function machineBusyUs(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
  const [user, nice, system, , , irq, softirq] = line.trim().split(/\s+/).slice(1).map(Number);
  // In clock ticks of 10 ms.
  return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0)) * 10_000;
}

/** This process's own CPU time (user + system), in µs. */
export function ownCpuUs(): number {
  const cpu = process.cpuUsage();
  return cpu.user + cpu.system;
}

function rssMb(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match?.[1] ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

function cpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    // utime and stime are fields 14 and 15 (1-based, counting pid and comm), in clock ticks.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}

export type HeraldSetup = {
  databaseUrl?: string;
  schema?: string;
  /** Where the delivering node writes its CPU profile (`--profile`). */
  profileDir?: string;
  /** Further HERALD_* settings of the row's nodes. */
  settings?: Record<string, string>;
  /** Scrape the delivering node's `GET /metrics` this often while it delivers. */
  scrapeEveryMs?: number;
};

/** A Herald data directory (SQLite) or schema (PostgreSQL) for one row. */
export function heraldEnv(setup: HeraldSetup): {
  env: Record<string, string>;
  cleanup: () => void;
  dbPath: string;
} {
  const dir = mkdtempSync(join(tmpdir(), 'herald-bench-'));
  const dbPath = join(dir, 'herald.db');
  const env: Record<string, string> = {
    HERALD_DATA_DIR: dir,
    HERALD_DATABASE_URL: setup.databaseUrl ?? `sqlite:${dbPath}`,
    HERALD_ADMIN_TOKEN: token,
    HERALD_ALLOWED_SUBNETS: '127.0.0.0/8',
    HERALD_LOG_LEVEL: 'warn',
    ...(setup.schema ? { HERALD_DATABASE_SCHEMA: setup.schema } : {}),
    ...setup.settings,
  };
  return { env, dbPath, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function herald(
  env: Record<string, string>,
  role: 'all' | 'api',
  profileDir?: string,
): Promise<HeraldProcess> {
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const profile = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const spawned = performance.now();
  const node = await startHerald({ ...env, HERALD_ROLE: role }, 20_000, [...heapFlags, ...profile]);
  // The profile summary leaves out the start-up (module loading, schema compilation).
  if (profileDir) {
    const readyAfterMs = Math.round(performance.now() - spawned);
    writeFileSync(join(profileDir, 'ready.json'), JSON.stringify({ readyAfterMs }));
  }
  return node;
}

/**
 * Where a message's time went, in ms, one entry per message: from the load generator's send
 * (the payload's `sentAt`) to its creation in Herald (`stored`: the request's way in and its
 * handling up to the insert), from its creation to the start of its attempt (`queued`:
 * commit and dispatch), and the attempt's exchange with the receiver (`exchange`). Herald
 * keeps whole milliseconds, so each figure is within 1 ms.
 */
export type Stages = { stored: number[]; queued: number[]; exchange: number[] };

/**
 * Reads recorded attempts straight from the database (a reader beside Herald, not through
 * its API): `count` ends a row when every attempt is on disk, not when the receiver has
 * them; `stages` splits the time of the messages created since `since` (ms since the
 * epoch), as Herald's own clock saw them.
 */
export function attemptCounter(
  setup: HeraldSetup,
  dbPath: string,
): {
  count(): Promise<number>;
  /** Deliveries with more than one attempt recorded: how many attempts beyond the first. */
  duplicates(): Promise<number>;
  stages(since: number): Promise<Stages>;
  close(): Promise<void>;
} {
  const duplicatesSql = (table: (name: string) => string) =>
    `SELECT count(*) - count(DISTINCT msg_id || ' ' || endpoint_id) AS n FROM ${table('attempts')}`;
  // Grouped by the primary key alone: PostgreSQL lets m's other columns follow it.
  const stagesSql = (table: (name: string) => string, sentAt: string, param: string) =>
    `SELECT m.created_at - ${sentAt} AS stored, min(a.created_at) - m.created_at AS queued,
       min(a.response_duration_ms) AS exchange
     FROM ${table('messages')} m JOIN ${table('attempts')} a ON a.msg_id = m.id
     WHERE m.created_at >= ${param} GROUP BY m.id`;
  type StageRow = { stored: number | string; queued: number | string; exchange: number | string };
  const toStages = (rows: StageRow[]): Stages => ({
    stored: rows.map((r) => Number(r.stored)),
    queued: rows.map((r) => Number(r.queued)),
    exchange: rows.map((r) => Number(r.exchange)),
  });
  if (setup.databaseUrl?.startsWith('postgres')) {
    const client = new pg.Client({ connectionString: setup.databaseUrl });
    const connected = client.connect();
    const table = (name: string) => `"${setup.schema ?? 'public'}".${name}`;
    return {
      count: async () => {
        await connected;
        const result = await client.query(`SELECT count(*)::int AS n FROM ${table('attempts')}`);
        return (result.rows[0] as { n: number }).n;
      },
      duplicates: async () => {
        await connected;
        const result = await client.query(duplicatesSql(table));
        return Number((result.rows[0] as { n: number | string }).n);
      },
      stages: async (since) => {
        await connected;
        const sentAt = "(m.payload::json->>'sentAt')::float8";
        const result = await client.query(stagesSql(table, sentAt, '$1'), [since]);
        return toStages(result.rows);
      },
      close: () => client.end(),
    };
  }
  let db: DatabaseSync | null = null;
  const open = () => {
    db ??= new DatabaseSync(dbPath, { readOnly: true });
    return db;
  };
  return {
    count: async () =>
      Number((open().prepare('SELECT count(*) AS n FROM attempts').get() as { n: number }).n),
    duplicates: async () =>
      Number(
        (
          open()
            .prepare(duplicatesSql((name) => name))
            .get() as { n: number }
        ).n,
      ),
    stages: async (since) => {
      const sql = stagesSql((name) => name, "json_extract(m.payload, '$.sentAt')", '?');
      return toStages(open().prepare(sql).all(since) as StageRow[]);
    },
    close: async () => db?.close(),
  };
}

/**
 * Waits until at least `expected` attempts are recorded; returns when (wall-clock ms) and
 * how many were recorded by then.
 */
export async function reached(
  counter: { count(): Promise<number> },
  expected: number,
  timeoutMs: number,
): Promise<{ at: number; count: number }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const count = await counter.count();
    if (count >= expected) return { at: wallNow(), count };
    if (Date.now() > deadline) throw new Error(`fewer than ${expected} attempts recorded in time`);
    await sleep(50);
  }
}

/** Waits until `expected` attempts are recorded; returns when (wall-clock ms). */
export async function recorded(
  counter: { count(): Promise<number> },
  expected: number,
  timeoutMs: number,
): Promise<number> {
  return (await reached(counter, expected, timeoutMs)).at;
}

export class Client {
  readonly pool: Pool;

  constructor(url: string, connections = 16) {
    this.pool = new Pool(url, { connections });
  }

  async post<T = { id: string }>(
    path: string,
    body: unknown,
  ): Promise<{ status: number; body: T }> {
    const response = await this.pool.request({
      method: 'POST',
      path,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.statusCode, body: (await response.body.json()) as T };
  }

  /** A POST whose answer is only checked for its status (nothing kept). */
  async postLean(path: string, body: unknown): Promise<void> {
    const response = await this.pool.request({
      method: 'POST',
      path,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    await response.body.dump();
    if (response.statusCode >= 300) throw new Error(`${path} answered ${response.statusCode}`);
  }

  /**
   * Sends `count` requests from `concurrency` loops; returns the elapsed ms. A lean load
   * generator (it shares the machine with Herald): each distinct body is serialized once, and
   * answers are read only when they report an error.
   */
  async load(
    count: number,
    concurrency: number,
    make: (i: number) => [string, unknown],
  ): Promise<number> {
    let next = 0;
    const serialized = new Map<unknown, string>();
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < count) {
          const [path, body] = make(next++);
          let json = serialized.get(body);
          if (json === undefined) {
            json = JSON.stringify(body);
            if (serialized.size < 1000) serialized.set(body, json);
          }
          const response = await this.pool.request({
            method: 'POST',
            path,
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: json,
          });
          if (response.statusCode >= 300)
            throw new Error(
              `${path} answered ${response.statusCode}: ${await response.body.text()}`,
            );
          await response.body.dump();
        }
      }),
    );
    return performance.now() - started;
  }

  close = () => this.pool.close();
}

/** An application with `fanOut` endpoints pointing at the receiver. */
export async function setupApp(
  client: Client,
  receiverUrl: string | null,
  fanOut: number,
): Promise<string> {
  const app = await client.post('/api/v1/app', { name: 'bench' });
  if (receiverUrl) {
    for (let i = 0; i < fanOut; i++)
      await client.post(`/api/v1/app/${app.body.id}/endpoint`, { url: receiverUrl });
  }
  return app.body.id;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}
