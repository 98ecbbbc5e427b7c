import assert from 'node:assert/strict';
import { test } from 'node:test';
import { endpointRecord } from '../../test/helpers/fixtures.ts';
import { createEndpointSettings } from './endpoint-settings.ts';

const defaults = {
  signatureHeaders: 'standard' as const,
  timeoutSeconds: 15,
  retrySchedule: [5, 300],
  failureWindowHours: 120,
};

test('the effective policy follows changes to the endpoint and to its application', () => {
  const settings = createEndpointSettings(defaults);
  const endpoint = endpointRecord({ id: 'ep_1', appId: 'app_1', createdAt: 1 });
  const loaded = (appPolicy: { timeoutSeconds?: number } | null, e = endpoint) => ({
    endpoint: e,
    failSince: null,
    appPolicy,
  });
  assert.equal(settings.policyOf(loaded(null)).timeoutSeconds, 15);
  assert.equal(settings.policyOf(loaded({ timeoutSeconds: 3 })).timeoutSeconds, 3);
  assert.equal(settings.policyOf(loaded({ timeoutSeconds: 3 })).timeoutSeconds, 3, 'read again');
  assert.equal(settings.policyOf(loaded({ timeoutSeconds: 7 })).timeoutSeconds, 7);
  const changed = { ...endpoint, policy: { timeoutSeconds: 9 }, updatedAt: 2 };
  assert.equal(settings.policyOf(loaded({ timeoutSeconds: 7 }, changed)).timeoutSeconds, 9);
});

test('signers follow a rotation: the old secret signs until it expires', () => {
  const settings = createEndpointSettings(defaults);
  const endpoint = endpointRecord({
    id: 'ep_1',
    appId: 'app_1',
    createdAt: 1,
    secrets: [
      { key: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', expiresAt: 1_000 },
      { key: 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD', expiresAt: null },
    ],
  });
  assert.equal(settings.signersFor(endpoint, 500).length, 2);
  assert.equal(settings.signersFor(endpoint, 999).length, 2);
  assert.equal(
    settings.signersFor(endpoint, 1_000).length,
    1,
    'the expired secret no longer signs',
  );
});
