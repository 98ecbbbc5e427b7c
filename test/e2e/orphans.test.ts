// A benchmark or test process stopped by a signal takes its `herald serve` children with it,
// instead of leaving them running (and busy) after it is gone.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test(`a parent stopped by ${signal} leaves no herald serve behind`, async () => {
    const parent = spawn(
      process.execPath,
      [join(import.meta.dirname, 'fixtures', 'start-herald-and-wait.ts')],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    parent.stdout?.setEncoding('utf8').on('data', (c: string) => {
      out += c;
    });
    const exited = once(parent, 'exit');
    let child = 0;
    let dataDir = '';
    try {
      const deadline = Date.now() + 30_000;
      while (!/^\d+ .+\n/.test(out)) {
        assert.ok(
          Date.now() < deadline && parent.exitCode === null,
          `the parent started Herald: ${out}`,
        );
        await sleep(50);
      }
      const [pid = '', dir = ''] = out.trim().split(' ');
      child = Number(pid);
      dataDir = dir;
      assert.ok(alive(child), 'Herald runs');
      parent.kill(signal);
      await exited;
      const gone = Date.now() + 5000;
      while (alive(child) && Date.now() < gone) await sleep(50);
      assert.equal(alive(child), false, 'Herald went with its parent');
    } finally {
      if (parent.exitCode === null) parent.kill('SIGKILL');
      if (child && alive(child)) process.kill(child, 'SIGKILL');
      if (dataDir.includes('herald-orphan-')) rmSync(dataDir, { recursive: true, force: true });
    }
  });
}
