// A real Herald listening over HTTP for tests and the benchmark, three ways:
// - `startHerald`: a `herald serve` child process with the heap limits of `npm start`;
// - `startHeraldChild`: a child process on a temporary data dir that can be killed and
//   started again on it;
// - `startInProcessHerald`: Herald in this process through `serve()`.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RunningHerald } from '../../src/cli/serve.ts';
import type { Config } from '../../src/config/config.ts';

const root = join(import.meta.dirname, '..', '..');

/**
 * Every `herald serve` child still running. A parent killed by a signal (a benchmark run
 * stopped midway, a test file past its timeout) takes them with it: left alone they would
 * outlive it and keep working through their queues, slowing whatever runs next.
 */
const running = new Set<ChildProcess>();
let reaperInstalled = false;

function track(child: ChildProcess): void {
  running.add(child);
  child.once('exit', () => running.delete(child));
  if (reaperInstalled) return;
  reaperInstalled = true;
  process.once('exit', () => {
    for (const c of running) c.kill('SIGKILL');
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      for (const c of running) c.kill('SIGKILL');
      process.kill(process.pid, signal);
    });
  }
}

/** The heap limits of `npm start`, read from its script so the two cannot drift apart. */
export const heapFlags: string[] = (
  JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts.start as string
)
  .split(' ')
  .filter((arg) => arg.startsWith('--max-'));

/** The operator token the helpers give Herald unless told otherwise. */
export const heraldTestToken = 'herald_test_admin_token_0123456789';

export type HeraldProcess = {
  url: string;
  pid: number;
  output: () => string;
  kill(signal: NodeJS.Signals): Promise<number | null>;
};

/** A port on 127.0.0.1 that was free a moment ago. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || !address) throw new Error('no port');
  return address.port;
}

/** Starts Herald with these HERALD_* settings and waits until it answers. */
export async function startHerald(
  env: Record<string, string>,
  timeoutMs = 20_000,
  nodeArgs: string[] = heapFlags,
): Promise<HeraldProcess> {
  const port = env.HERALD_PORT ?? String(await freePort());
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, 'bin/herald.js', 'serve'], {
    cwd: root,
    env: { PATH: process.env.PATH, HERALD_LOG_LEVEL: 'warn', ...env, HERALD_PORT: port },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  track(child);
  let output = '';
  child.stdout?.on('data', (c: Buffer) => {
    output += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    output += c.toString();
  });
  const exited = once(child, 'exit');
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`herald exited early:\n${output}`);
    try {
      const response = await fetch(`${url}/api/v1/health/ping`);
      if (response.status === 204) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`herald did not start within ${timeoutMs} ms:\n${output}`);
    }
    await sleep(50);
  }
  return {
    url,
    pid: child.pid ?? 0,
    output: () => output,
    async kill(signal) {
      if (child.exitCode === null) child.kill(signal);
      const [code] = (await exited) as [number | null];
      return code;
    },
  };
}

export type Exit = { code: number | null; signal: NodeJS.Signals | null };

export type HeraldChild = {
  url: string;
  pid: number;
  dataDir: string;
  /** The HERALD_* settings it runs with. */
  env: Record<string, string>;
  /** Everything it printed so far, stdout and stderr. */
  output(): string;
  /** Waits until its output matches (stdout may arrive after the first answer). */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Sends a signal (if still running) and waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<Exit>;
  /** Kills this process if needed and starts another on the same data dir and port. */
  restart(signal?: NodeJS.Signals): Promise<HeraldChild>;
  /** Kills the process (SIGKILL) and removes the data directory if the helper made it. */
  cleanup(): Promise<void>;
};

export type HeraldChildOptions = {
  /** Extra or overriding HERALD_* settings. */
  env?: Record<string, string>;
  /** An existing data directory; by default a temporary one, removed by `cleanup()`. */
  dataDir?: string;
  /** The operator token; `null` lets Herald generate one. Default: `heraldTestToken`. */
  adminToken?: string | null;
  timeoutMs?: number;
};

/** Runs `node bin/herald.js serve` and waits until `/api/v1/health/ping` answers. */
export async function startHeraldChild(options: HeraldChildOptions = {}): Promise<HeraldChild> {
  const ownsDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'herald-child-'));
  const token = options.adminToken === undefined ? heraldTestToken : options.adminToken;
  const env: Record<string, string> = {
    HERALD_HOST: '127.0.0.1',
    HERALD_PORT: String(await freePort()),
    HERALD_DATA_DIR: dataDir,
    HERALD_DATABASE_URL: `sqlite:${join(dataDir, 'herald.db')}`,
    HERALD_LOG_LEVEL: 'warn',
    ...(token === null ? {} : { HERALD_ADMIN_TOKEN: token }),
    ...options.env,
  };
  try {
    return await launch(env, dataDir, ownsDir, options.timeoutMs ?? 20_000);
  } catch (error) {
    if (ownsDir) rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}

async function launch(
  env: Record<string, string>,
  dataDir: string,
  ownsDir: boolean,
  timeoutMs: number,
): Promise<HeraldChild> {
  const child: ChildProcess = spawn(process.execPath, ['bin/herald.js', 'serve'], {
    cwd: root,
    // Only the settings given here: nothing leaks in from the developer's environment.
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  track(child);
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  // 'close' comes after the output streams end, so `output()` is complete by then.
  const exited: Promise<Exit> = once(child, 'close').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
  }));
  const kill = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<Exit> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    return exited;
  };

  const url = `http://127.0.0.1:${env.HERALD_PORT}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await exited;
      throw new Error(`herald exited before answering:\n${output}`);
    }
    try {
      const response = await fetch(`${url}/api/v1/health/ping`, {
        signal: AbortSignal.timeout(1000),
      });
      await response.body?.cancel();
      if (response.status === 204) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await kill('SIGKILL');
      throw new Error(`herald did not answer within ${timeoutMs} ms:\n${output}`);
    }
    await sleep(50);
  }

  const handle: HeraldChild = {
    url,
    pid: child.pid ?? 0,
    dataDir,
    env,
    output: () => output,
    async waitForOutput(pattern: RegExp, waitMs = 5000) {
      const until = Date.now() + waitMs;
      while (!pattern.test(output)) {
        if (Date.now() > until) throw new Error(`no ${pattern} in the output:\n${output}`);
        await sleep(20);
      }
      return output;
    },
    kill,
    async restart(signal: NodeJS.Signals = 'SIGKILL') {
      await kill(signal);
      return launch(env, dataDir, ownsDir, timeoutMs);
    },
    async cleanup() {
      await kill('SIGKILL');
      if (ownsDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return handle;
}

export type InProcessHerald = RunningHerald & {
  token: string;
  dataDir: string;
  /** Stops Herald and removes its data directory. */
  close(): Promise<void>;
};

/** Starts Herald in this process on 127.0.0.1, port 0, a temporary data dir and SQLite file. */
export async function startInProcessHerald(
  overrides: Partial<Config> = {},
): Promise<InProcessHerald> {
  // Loaded on first use: the benchmark imports this file for `startHerald` only, and its
  // own process should not load Herald.
  const { serve } = await import('../../src/cli/serve.ts');
  const { loadConfig } = await import('../../src/config/config.ts');
  const dataDir = mkdtempSync(join(tmpdir(), 'herald-running-'));
  try {
    const config = loadConfig({
      env: {},
      overrides: {
        host: '127.0.0.1',
        port: 0,
        dataDir,
        databaseUrl: `sqlite:${join(dataDir, 'herald.db')}`,
        adminToken: heraldTestToken,
        logLevel: 'silent',
        ...overrides,
      },
    });
    const running = await serve(config, () => {});
    return {
      ...running,
      token: config.adminToken ?? heraldTestToken,
      dataDir,
      close: async () => {
        await running.stop();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}
