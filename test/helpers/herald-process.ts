// Runs `herald serve` as a real child process for end-to-end tests.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const root = join(import.meta.dirname, '..', '..');

export type HeraldProcess = {
  url: string;
  pid: number;
  output: () => string;
  kill(signal: NodeJS.Signals): Promise<number | null>;
};

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
  // The same heap limits as `npm start`.
  nodeArgs: string[] = ['--max-semi-space-size=16', '--max-old-space-size=192'],
): Promise<HeraldProcess> {
  const port = env.HERALD_PORT ?? String(await freePort());
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, 'src/cli/main.ts', 'serve'], {
    cwd: root,
    env: { PATH: process.env.PATH, HERALD_LOG_LEVEL: 'warn', ...env, HERALD_PORT: port },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
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
