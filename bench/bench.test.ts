// The benchmark's command line. Its smoke run, which starts a dozen servers, runs alone in
// the serial stage (test/serial/bench-smoke.serial.ts).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';

test('the benchmark lists its options on --help and refuses one it does not know', async () => {
  const run = (arg: string) =>
    promisify(execFile)(process.execPath, ['bench/run.ts', arg], {
      cwd: join(import.meta.dirname, '..'),
    });
  const { stdout } = await run('--help');
  for (const option of ['--quick', '--full', '--smoke', '--postgres', '--only', '--profile'])
    assert.ok(stdout.includes(option), `--help names ${option}`);
  await assert.rejects(run('--fast'), (error: { code: number; stderr: string }) => {
    assert.equal(error.code, 2);
    assert.match(error.stderr, /Unknown option '--fast'[\s\S]*Usage: npm run bench/);
    return true;
  });
});
