// Domain records for tests that write to the store directly.
import assert from 'node:assert/strict';
import type { DeliveryPolicy } from '../../src/domain/delivery-policy.ts';
import type { Endpoint } from '../../src/domain/endpoint.ts';
import type { TestApp } from './test-app.ts';

/** An enabled endpoint with a fixed secret; `fields` override any part. */
export function endpointRecord(
  fields: Pick<Endpoint, 'id' | 'appId' | 'createdAt'> & Partial<Endpoint>,
): Endpoint {
  return {
    uid: null,
    url: 'https://example.com/hook',
    description: '',
    version: 1,
    rateLimit: null,
    disabled: false,
    filterTypes: null,
    channels: null,
    metadata: {},
    headers: {},
    secrets: [{ key: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', expiresAt: null }],
    policy: null,
    updatedAt: fields.createdAt,
    ...fields,
  };
}

/** Sets an endpoint's delivery policy directly in the store. */
export async function setPolicy(
  t: TestApp,
  endpointId: string,
  policy: DeliveryPolicy,
): Promise<void> {
  const endpoint = await t.store.endpoints.findById(endpointId);
  assert.ok(endpoint, `no endpoint ${endpointId}`);
  await t.store.endpoints.update({ ...endpoint, policy });
}
