// Herald on a data directory whose storage can fail for real, without privileges: the process
// runs in a mount namespace of its own (`unshare`, util-linux), where its data directory is
// either a small tmpfs (the disk fills up for real: ENOSPC) or a read-only bind mount (EROFS).
// A running process cannot have its mount made read-only (Linux refuses while files are open
// for writing), so a read-only directory is met at start, as after a crash on a volume that
// the kernel remounted read-only.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, statfsSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Exit, freePort, heraldTestToken } from './herald-process.ts';

const root = join(import.meta.dirname, '..', '..');

export type StorageFault =
  /** The data directory is a tmpfs of this many bytes, gone when the process ends. */
  | { tmpfsBytes: number }
  /** The data directory is mounted read-only. */
  | { readOnly: true };

export type NamespacedHerald = {
  url: string;
  pid: number;
  /** A path inside the data directory as the process sees it (its tmpfs). */
  inside(name: string): string;
  output(): string;
  /** Sends a signal (if still running) and waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<Exit>;
  /** Resolves once the process has ended (for a start that is expected to fail). */
  exited: Promise<Exit>;
};

/**
 * Runs `herald serve` on `dataDir` seen through the fault's mount. Resolves once it answers
 * `/api/v1/health/ping`, or once it has exited (`url` is then empty).
 */
export async function startNamespacedHerald(
  dataDir: string,
  fault: StorageFault,
  env: Record<string, string> = {},
  timeoutMs = 20_000,
): Promise<NamespacedHerald> {
  const mount =
    'readOnly' in fault
      ? 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0"'
      : `mount -t tmpfs -o size=${fault.tmpfsBytes},mode=0700 herald-faults "$0"`;
  const port = String(await freePort());
  const child: ChildProcess = spawn(
    'unshare',
    [
      '--user',
      '--map-root-user',
      '--mount',
      '--propagation',
      'private',
      'sh',
      '-c',
      `${mount} && exec "$@"`,
      dataDir,
      process.execPath,
      'bin/herald.js',
      'serve',
    ],
    {
      cwd: root,
      env: {
        PATH: process.env.PATH ?? '',
        HERALD_HOST: '127.0.0.1',
        HERALD_PORT: port,
        HERALD_DATA_DIR: dataDir,
        HERALD_DATABASE_URL: `sqlite:${join(dataDir, 'herald.db')}`,
        HERALD_ADMIN_TOKEN: heraldTestToken,
        HERALD_LOG_LEVEL: 'warn',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  const exited: Promise<Exit> = new Promise((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  const kill = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<Exit> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    return exited;
  };
  const pid = child.pid ?? 0;
  const handle = (url: string): NamespacedHerald => ({
    url,
    pid,
    // The process's own view of the file system, through procfs.
    inside: (name) => join(`/proc/${pid}/root`, dataDir, name),
    output: () => output,
    kill,
    exited,
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await exited;
      return handle('');
    }
    try {
      const response = await fetch(`${url}/api/v1/health/ping`, {
        signal: AbortSignal.timeout(1000),
      });
      await response.body?.cancel();
      if (response.status === 204) return handle(url);
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await kill('SIGKILL');
      throw new Error(`herald did not answer within ${timeoutMs} ms:\n${output}`);
    }
    await sleep(50);
  }
}

/**
 * Fills the file system holding `path` with a file of that name until the disk says it is
 * full; returns the bytes written. Removing the file makes the room again.
 */
export function fillDisk(path: string): number {
  const { bsize, bavail } = statfsSync(path.slice(0, path.lastIndexOf('/')));
  const chunk = Buffer.alloc(1024 * 1024);
  const fd = openSync(path, 'w');
  let written = 0;
  try {
    // Bounded: the free space plus one chunk, after which the write must have failed.
    while (written <= Number(bavail) * bsize) {
      try {
        written += writeSync(fd, chunk, 0, chunk.length);
      } catch (error) {
        if ((error as { code?: string }).code === 'ENOSPC') return written;
        throw error;
      }
    }
  } finally {
    closeSync(fd);
  }
  throw new Error(`wrote ${written} bytes and the disk is not full`);
}

export function freeDisk(path: string): void {
  unlinkSync(path);
}
