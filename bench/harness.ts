// What the benchmark rows share: the receiver process, Herald processes with RSS and CPU
// sampling, and HTTP load from keep-alive undici pools.
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import { type HeraldProcess, startHerald } from '../test/helpers/herald-process.ts';

export const token = 'bench_admin_token_0123456789abcdef';
export const body1k = (extra: Record<string, unknown> = {}) => ({
  ...extra,
  data: 'x'.repeat(1000),
});

export type ReceiverStats = { count: number; firstAt: number; lastAt: number; latencies: number[] };

export class Receiver {
  readonly url: string;
  private readonly child: ChildProcess;

  private constructor(child: ChildProcess, port: number) {
    this.child = child;
    this.url = `http://127.0.0.1:${port}/hook`;
  }

  static async start(): Promise<Receiver> {
    const child = fork(join(import.meta.dirname, 'receiver.ts'), { stdio: 'inherit' });
    const port = await new Promise<number>((resolve) =>
      child.once('message', (m: { port: number }) => resolve(m.port)),
    );
    return new Receiver(child, port);
  }

  private ask<T>(type: string): Promise<T> {
    return new Promise((resolve) => {
      this.child.once('message', (m) => resolve(m as T));
      this.child.send({ type });
    });
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

  async stop(): Promise<void> {
    this.child.send({ type: 'stop' });
    await new Promise((resolve) => this.child.once('exit', resolve));
  }
}

/** Peak RSS and CPU time of a process, sampled from /proc. */
export class ProcessMeter {
  peakRssMb = 0;
  private readonly timer: NodeJS.Timeout;
  private readonly startCpu: number;
  private endCpu: number | null = null;
  private readonly pid: number;

  constructor(pid: number) {
    this.pid = pid;
    this.startCpu = cpuMs(pid);
    this.timer = setInterval(() => {
      this.peakRssMb = Math.max(this.peakRssMb, rssMb(pid));
    }, 100);
  }

  /** CPU milliseconds (user + system) used between start and stop. */
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

export type HeraldSetup = { databaseUrl?: string; schema?: string };

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
  };
  return { env, dbPath, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function herald(
  env: Record<string, string>,
  role: 'all' | 'api',
): Promise<HeraldProcess> {
  return startHerald({ ...env, HERALD_ROLE: role });
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

  /** Sends `count` requests from `concurrency` loops; returns the elapsed ms. */
  async load(
    count: number,
    concurrency: number,
    make: (i: number) => [string, unknown],
  ): Promise<number> {
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < count) {
          const [path, body] = make(next++);
          const r = await this.post(path, body);
          if (r.status >= 300)
            throw new Error(`${path} answered ${r.status}: ${JSON.stringify(r.body)}`);
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
