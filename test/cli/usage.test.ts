// The `herald` command as a user types it.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
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
