import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { endpointRecord } from '../../test/helpers/fixtures.ts';
import type { Endpoint } from '../domain/endpoint.ts';
import { createRequestBuilder } from './prepare-request.ts';

const defaults = {
  signatureHeaders: 'standard' as const,
  timeoutSeconds: 15,
  retrySchedule: [5, 300],
  failureWindowHours: 120,
};

const message = {
  id: 'msg_1',
  eventId: null,
  eventType: 'user.created',
  payload: '{"id":1}',
  expired: false,
  channels: null,
  createdAt: 0,
};

const oldKey = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const newKey = 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD';

function build(endpoint: Endpoint, at: number) {
  const requests = createRequestBuilder(defaults);
  return requests.prepareRequest({
    message,
    endpoint,
    policy: requests.policyOf(endpoint, null),
    attemptId: 'atmpt_1',
    attemptNumber: 1,
    at,
  });
}

test('the effective policy follows changes to the endpoint and to its application', () => {
  const requests = createRequestBuilder(defaults);
  const endpoint = endpointRecord({ id: 'ep_1', appId: 'app_1', createdAt: 1 });
  assert.equal(requests.policyOf(endpoint, null).timeoutSeconds, 15);
  assert.equal(requests.policyOf(endpoint, { timeoutSeconds: 3 }).timeoutSeconds, 3);
  assert.equal(requests.policyOf(endpoint, { timeoutSeconds: 3 }).timeoutSeconds, 3, 'read again');
  assert.equal(requests.policyOf(endpoint, { timeoutSeconds: 7 }).timeoutSeconds, 7);
  const changed = { ...endpoint, policy: { timeoutSeconds: 9 }, updatedAt: 2 };
  assert.equal(requests.policyOf(changed, { timeoutSeconds: 7 }).timeoutSeconds, 9);
});

test('signers follow a rotation: the old secret signs until it expires', () => {
  const requests = createRequestBuilder(defaults);
  const endpoint = endpointRecord({
    id: 'ep_1',
    appId: 'app_1',
    createdAt: 1,
    secrets: [
      { key: oldKey, expiresAt: 1_000 },
      { key: newKey, expiresAt: null },
    ],
  });
  const policy = requests.policyOf(endpoint, null);
  const signatures = (at: number) =>
    requests
      .prepareRequest({ message, endpoint, policy, attemptId: 'atmpt_1', attemptNumber: 1, at })
      .headers['webhook-signature']?.split(' ').length;
  assert.equal(signatures(500), 2);
  assert.equal(signatures(999), 2);
  assert.equal(signatures(1_000), 1, 'the expired secret no longer signs');
});

test('a raw-body scheme signs with the current secret, wherever it is listed', () => {
  const endpoint = endpointRecord({
    id: 'ep_1',
    appId: 'app_1',
    createdAt: 1,
    policy: { signature: { scheme: 'hmac-sha256', header: 'X-Sig', encoding: 'hex' } },
    secrets: [
      { key: 'rotated-out-secret', expiresAt: 10_000 },
      { key: 'the-current-secret', expiresAt: null },
    ],
  });
  const request = build(endpoint, 500);
  assert.equal(
    request.headers['x-sig'],
    createHmac('sha256', 'the-current-secret').update(request.body).digest('hex'),
  );
});

test('a rotated-out secret that cannot sign Standard Webhooks is left out; none at all is an error', () => {
  const endpoint = endpointRecord({
    id: 'ep_1',
    appId: 'app_1',
    createdAt: 1,
    secrets: [
      { key: newKey, expiresAt: null },
      { key: 'a-raw-body-secret', expiresAt: 10_000 },
    ],
  });
  const signature = build(endpoint, 500).headers['webhook-signature'] ?? '';
  assert.match(signature, /^v1,[A-Za-z0-9+/]+=*$/, 'one signature, by the whsec_ key');
  const unsignable = { ...endpoint, secrets: [{ key: 'a-raw-body-secret', expiresAt: null }] };
  assert.throws(
    () => build(unsignable, 500),
    /no secret of the endpoint can sign Standard Webhooks/,
  );
});
