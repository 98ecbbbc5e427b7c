// Domain records for tests that write to the store directly.
import type { Endpoint } from '../../src/domain/endpoint.ts';

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
