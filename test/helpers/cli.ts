// Runs the `herald` command as a user types it: to completion (`herald`) or in the background
// (`heraldInBackground`, for listen and tail), with only the environment given.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const root = join(import.meta.dirname, '..', '..');

export type CliResult = { code: number | null; stdout: string; stderr: string };

function start(args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['bin/herald.js', ...args], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** Runs `herald ...args` to its end, with `input` on stdin (closed either way). */
export async function herald(
  args: string[],
  env: Record<string, string>,
  input?: string,
): Promise<CliResult> {
  const child = start(args, env);
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (c: string) => {
    stdout += c;
  });
  child.stderr?.setEncoding('utf8').on('data', (c: string) => {
    stderr += c;
  });
  child.stdin?.end(input ?? '');
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr };
}

export type BackgroundHerald = {
  stdout(): string;
  stderr(): string;
  /** Waits until stdout or stderr matches, with a deadline. */
  waitFor(
    pattern: RegExp,
    stream?: 'stdout' | 'stderr',
    timeoutMs?: number,
  ): Promise<RegExpExecArray>;
  /** Its exit code, after a signal when given. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
};

export function heraldInBackground(args: string[], env: Record<string, string>): BackgroundHerald {
  const child = start(args, env);
  child.stdin?.end();
  const out = { stdout: '', stderr: '' };
  child.stdout?.setEncoding('utf8').on('data', (c: string) => {
    out.stdout += c;
  });
  child.stderr?.setEncoding('utf8').on('data', (c: string) => {
    out.stderr += c;
  });
  const closed = once(child, 'close').then(([code]) => code as number | null);
  return {
    stdout: () => out.stdout,
    stderr: () => out.stderr,
    async waitFor(pattern, stream = 'stdout', timeoutMs = 15_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const match = pattern.exec(out[stream]);
        if (match) return match;
        if (Date.now() > until || child.exitCode !== null) {
          throw new Error(
            `no ${pattern} from herald ${args.join(' ')}:\n${out.stdout}\n${out.stderr}`,
          );
        }
        await sleep(20);
      }
    },
    async stop(signal) {
      if (signal && child.exitCode === null && child.signalCode === null) child.kill(signal);
      return closed;
    },
  };
}
