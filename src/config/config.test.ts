import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError, loadConfig } from './config.ts';

test('defaults match the documented interface points', () => {
  const config = loadConfig({ env: {} });
  assert.equal(config.port, 8071);
  assert.equal(config.host, '127.0.0.1');
  assert.equal(config.databaseUrl, 'sqlite:./.herald/herald.db');
  assert.deepEqual(config.retrySchedule, [5, 300, 1800, 7200, 18000, 36000, 36000]);
  assert.equal(config.adminToken, undefined);
});

test('environment overrides the file, which overrides defaults', () => {
  const file = join(tmpdir(), `herald-config-${process.pid}.json`);
  writeFileSync(file, JSON.stringify({ port: 9000, host: '0.0.0.0', retentionDays: 7 }));
  const config = loadConfig({
    env: {
      HERALD_CONFIG: file,
      HERALD_PORT: '9100',
      HERALD_ALLOWED_SUBNETS: '127.0.0.0/8, ::1/128',
    },
  });
  assert.equal(config.port, 9100);
  assert.equal(config.host, '0.0.0.0');
  assert.equal(config.retentionDays, 7);
  assert.deepEqual(config.allowedSubnets, ['127.0.0.0/8', '::1/128']);
});

test('a bad setting fails with an error naming it', () => {
  assert.throws(
    () => loadConfig({ env: { HERALD_PORT: 'eighty' } }),
    (e: Error) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, /HERALD_PORT/);
      return true;
    },
  );
  assert.throws(() => loadConfig({ env: { HERALD_PORT: '70000' } }), /port \(HERALD_PORT\)/);
  assert.throws(
    () => loadConfig({ env: { HERALD_RETRY_SCHEDULE: '5,x' } }),
    /HERALD_RETRY_SCHEDULE/,
  );
  assert.throws(
    () => loadConfig({ env: { HERALD_DATABASE_URL: 'mysql://db' } }),
    /HERALD_DATABASE_URL/,
  );
  assert.throws(
    () => loadConfig({ env: {}, file: '/nonexistent/herald.json' }),
    /cannot read config file/,
  );
});

test('HERALD_SEND_THREAD takes true/false or 1/0 and nothing else', () => {
  assert.equal(loadConfig({ env: {} }).sendThread, false);
  assert.equal(loadConfig({ env: { HERALD_SEND_THREAD: 'true' } }).sendThread, true);
  assert.equal(loadConfig({ env: { HERALD_SEND_THREAD: '0' } }).sendThread, false);
  assert.throws(
    () => loadConfig({ env: { HERALD_SEND_THREAD: 'yes please' } }),
    /HERALD_SEND_THREAD: "yes please" is not true or false/,
  );
});

test('SQLite sync mode: FULL by default, NORMAL only through its setting', () => {
  assert.equal(loadConfig({ env: {} }).sqliteSynchronous, 'full');
  assert.equal(
    loadConfig({ env: { HERALD_SQLITE_SYNCHRONOUS: 'normal' } }).sqliteSynchronous,
    'normal',
  );
  assert.throws(
    () => loadConfig({ env: { HERALD_SQLITE_SYNCHRONOUS: 'off' } }),
    /sqliteSynchronous \(HERALD_SQLITE_SYNCHRONOUS\)/,
  );
});

test('the limits on delivery policies: settings, and defaults that must keep them', () => {
  const config = loadConfig({
    env: {
      HERALD_MAX_TIMEOUT_SECONDS: '30',
      HERALD_MIN_RETRY_INTERVAL_SECONDS: '5',
      HERALD_MAX_ATTEMPTS: '8',
    },
  });
  assert.deepEqual(
    [config.maxTimeoutSeconds, config.minRetryIntervalSeconds, config.maxAttempts],
    [30, 5, 8],
  );
  const defaults = loadConfig({ env: {} });
  assert.deepEqual(
    [defaults.maxTimeoutSeconds, defaults.minRetryIntervalSeconds, defaults.maxAttempts],
    [300, 0, 101],
    'no tighter than the API allows unless the operator says so',
  );
  for (const [env, named] of [
    [{ HERALD_TIMEOUT_SECONDS: '60', HERALD_MAX_TIMEOUT_SECONDS: '30' }, /HERALD_TIMEOUT_SECONDS/],
    [{ HERALD_MIN_RETRY_INTERVAL_SECONDS: '10' }, /HERALD_RETRY_SCHEDULE.*HERALD_MIN_RETRY/],
    [{ HERALD_MAX_ATTEMPTS: '5' }, /HERALD_RETRY_SCHEDULE.*HERALD_MAX_ATTEMPTS/],
  ] as const) {
    assert.throws(
      () => loadConfig({ env }),
      (e: Error) => e instanceof ConfigError && named.test(e.message),
    );
  }
});
