import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { heapFlags } from './helpers/herald-process.ts';

const root = join(import.meta.dirname, '..');

test('npm start and the herald command run with the same heap limits', () => {
  assert.deepEqual(heapFlags, ['--max-semi-space-size=8', '--max-old-space-size=192']);
  const shebang = readFileSync(join(root, 'bin', 'herald.js'), 'utf8').split('\n')[0];
  assert.equal(shebang, `#!/usr/bin/env -S node ${heapFlags.join(' ')}`);
});
