import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  effectivePolicy,
  policyLimitIssues,
  presets,
  type ServerDefaults,
} from './delivery-policy.ts';

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
    disableOnGone: true,
    testBody: 'sample',
  });
});

test('endpoint fields win over its preset, which wins over the application policy', () => {
  const policy = effectivePolicy(
    defaults,
    { timeoutSeconds: 30, format: 'xml', httpsOnly: true, headers: { 'X-App': 'a' } },
    { preset: 'generic-rest', timeoutSeconds: 7, headers: { 'X-Endpoint': 'e' } },
  );
  assert.equal(policy.timeoutSeconds, 7);
  assert.equal(policy.format, 'json', 'the preset sets its format over the application');
  assert.equal(policy.httpsOnly, true, 'a field the preset leaves alone');
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

test('a policy can turn the failure window off; Fourvenues does', () => {
  assert.equal(effectivePolicy(defaults, null, { preset: 'fourvenues' }).failureWindowHours, null);
  assert.equal(
    effectivePolicy(defaults, { failureWindowHours: null }, {}).failureWindowHours,
    null,
  );
  // An endpoint can still turn it back on, or off again over its application's.
  assert.equal(
    effectivePolicy(defaults, { preset: 'fourvenues' }, { failureWindowHours: 48 })
      .failureWindowHours,
    48,
  );
  assert.equal(
    effectivePolicy(defaults, { preset: 'generic-rest' }, { disableAfterExhausted: null })
      .disableAfterExhausted,
    null,
  );
});

test('each preset sets every rule its sender documents', () => {
  const rules = (name: string) => effectivePolicy(defaults, null, { preset: name });
  // Disabled after its retries are used up, not after a window of failure.
  for (const name of ['generic-rest', 'checkfront']) {
    assert.equal(rules(name).disableAfterExhausted, 1, name);
    assert.equal(rules(name).failureWindowHours, null, name);
  }
  assert.equal(rules('fourvenues').disableAfterExhausted, null);
  assert.equal(rules('fourvenues').disableOnGone, false);
  assert.equal(rules('checkfront').disableOnGone, true);
  assert.equal(rules('svix').timeoutSeconds, 15);
  assert.equal(rules('svix').failureWindowHours, 120);
  assert.equal(rules('fast-events').testBody, 'empty');
  for (const name of ['svix', 'fourvenues', 'generic-rest', 'checkfront']) {
    assert.equal(rules(name).testBody, 'sample', name);
  }
});

test('the operator limits hold presets and stored policies, and refuse explicit fields beyond them', () => {
  const limits = { maxTimeoutSeconds: 10, minRetryIntervalSeconds: 60, maxAttempts: 4 };
  const limited = { ...defaults, timeoutSeconds: 5, retrySchedule: [60, 300], limits };
  const stored = effectivePolicy(limited, null, {
    timeoutSeconds: 300,
    retry: { schedule: [0, 5, 600, 3600, 7200] },
  });
  assert.equal(stored.timeoutSeconds, 10);
  assert.deepEqual(stored.retrySchedule, [60, 60, 600], 'no wait under 60 s, 4 attempts in all');
  const preset = effectivePolicy(limited, null, { preset: 'fourvenues' });
  assert.equal(preset.retrySchedule.length, 3, 'a preset is held within them too');
  assert.deepEqual(effectivePolicy(limited, null, null).retrySchedule, [60, 300]);

  assert.deepEqual(policyLimitIssues({ preset: 'fourvenues', timeoutSeconds: 10 }, limits), []);
  assert.deepEqual(
    policyLimitIssues(
      { timeoutSeconds: 11, retry: { retries: 5, initialSeconds: 30, factor: 2, maxSeconds: 600 } },
      limits,
    ).map((i) => i.loc.join('.')),
    ['timeoutSeconds', 'retry.initialSeconds', 'retry.retries'],
  );
  assert.deepEqual(
    policyLimitIssues({ retry: { schedule: [60, 60, 60, 60] } }, limits).map((i) => i.msg),
    ['at most 4 attempts (3 retries) on this server (HERALD_MAX_ATTEMPTS)'],
  );
});
