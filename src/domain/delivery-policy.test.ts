import assert from 'node:assert/strict';
import { test } from 'node:test';
import { effectivePolicy, presets, type ServerDefaults } from './delivery-policy.ts';

const defaults: ServerDefaults = {
  signatureHeaders: 'standard',
  timeoutSeconds: 15,
  retrySchedule: [5, 300],
  failureWindowHours: 120,
};

test('no policy means the server defaults', () => {
  assert.deepEqual(effectivePolicy(defaults, null, null), {
    signature: { scheme: 'standard' },
    format: 'json',
    envelope: null,
    headers: {},
    userAgent: null,
    source: null,
    timeoutSeconds: 15,
    retrySchedule: [5, 300],
    disableAfterExhausted: null,
    failureWindowHours: 120,
    httpsOnly: false,
  });
});

test('endpoint fields win over its preset, which wins over the application policy', () => {
  const policy = effectivePolicy(
    defaults,
    { timeoutSeconds: 30, format: 'xml', headers: { 'X-App': 'a' } },
    { preset: 'generic-rest', timeoutSeconds: 7, headers: { 'X-Endpoint': 'e' } },
  );
  assert.equal(policy.timeoutSeconds, 7);
  assert.equal(policy.format, 'xml');
  assert.deepEqual(policy.signature, {
    scheme: 'hmac-sha256',
    header: 'X-Webhook-Signature',
    encoding: 'hex',
  });
  assert.deepEqual(policy.retrySchedule, [60, 300, 1800, 7200]);
  assert.equal(policy.disableAfterExhausted, 1);
  assert.deepEqual(policy.headers, { 'X-App': 'a', 'X-Endpoint': 'e' });
});

test('a retry count with exponential backoff becomes a schedule', () => {
  const policy = effectivePolicy(defaults, null, { preset: 'fourvenues' });
  assert.equal(policy.retrySchedule.length, 40);
  assert.equal(policy.retrySchedule[0], 30);
  assert.ok(policy.retrySchedule.every((s, i, all) => i === 0 || s >= (all[i - 1] ?? 0)));
  assert.equal(Math.max(...policy.retrySchedule), 10_800);
});

test('every preset is plain policy data', () => {
  for (const [name, preset] of Object.entries(presets)) {
    assert.deepEqual(JSON.parse(JSON.stringify(preset)), preset, name);
    assert.equal(preset.preset, undefined, `${name} must not chain presets`);
  }
});
