// The `herald` command as a user types it.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { delimiter, join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';

test('herald refuses an option it does not know with its usage, not a stack trace', async () => {
  const run = promisify(execFile)(process.execPath, ['bin/herald.js', 'serve', '--bogus'], {
    cwd: join(import.meta.dirname, '..', '..'),
  });
  await assert.rejects(run, (error: { code: number; stderr: string }) => {
    assert.equal(error.code, 2);
    assert.match(error.stderr, /^herald: Unknown option '--bogus'/);
    assert.match(error.stderr, /serve/);
    assert.doesNotMatch(error.stderr, /\n\s+at /);
    return true;
  });
});

test('run by a Node older than 22.18, herald says so in one line', async (t) => {
  // The system's Node, as `./bin/herald.js` would find it outside npm.
  const path = (process.env.PATH ?? '')
    .split(delimiter)
    .filter((dir) => !dir.includes('node_modules'))
    .join(delimiter);
  const probe = await promisify(execFile)('node', ['--version'], { env: { PATH: path } }).catch(
    () => null,
  );
  const [major = 0, minor = 0] = (probe?.stdout.trim().slice(1) ?? '99').split('.').map(Number);
  if (!probe || major > 22 || (major === 22 && minor >= 18)) {
    t.skip('no system Node older than 22.18 here');
    return;
  }
  const run = promisify(execFile)('node', ['bin/herald.js', '--help'], {
    cwd: join(import.meta.dirname, '..', '..'),
    env: { PATH: path },
  });
  await assert.rejects(run, (error: { code: number; stderr: string }) => {
    assert.equal(error.code, 1);
    assert.match(
      error.stderr,
      /^herald: needs Node 22\.18 or newer \(this is v\d+\.\d+\.\d+\); run it as `npx herald`/,
    );
    assert.equal(error.stderr.split('\n').length, 2);
    return true;
  });
});
