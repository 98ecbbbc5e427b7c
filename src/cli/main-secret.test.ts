import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../config/config.ts';
import { loadMainSecrets } from './main-secret.ts';

test('the key file is made once, private, and every later start reads the same secret', () => {
  const dir = mkdtempSync(join(tmpdir(), 'herald-secret-'));
  try {
    const config = loadConfig({ env: {}, overrides: { dataDir: dir } });
    const first = loadMainSecrets(config);
    const second = loadMainSecrets(config);
    assert.equal(first.generated, true);
    assert.equal(second.generated, false);
    assert.deepEqual(second.secrets, first.secrets);
    assert.equal(first.secrets.length, 1);
    assert.ok((first.secrets[0] ?? '').length >= 32);
    assert.equal(statSync(join(dir, 'main-secret')).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(dir), ['main-secret'], 'no draft left behind');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('HERALD_MAIN_SECRET wins over the key file, and previous secrets follow it', () => {
  const config = loadConfig({
    env: {
      HERALD_MAIN_SECRET: 'the-current-secret-0123456789',
      HERALD_PREVIOUS_MAIN_SECRETS: 'an-older-secret-0123456789',
    },
  });
  assert.deepEqual(loadMainSecrets(config), {
    secrets: ['the-current-secret-0123456789', 'an-older-secret-0123456789'],
    file: null,
    generated: false,
  });
});
