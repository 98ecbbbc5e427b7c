// Calls Herald's API through inject() with the operator token, failing loudly on surprises.
import assert from 'node:assert/strict';
import type { DeliveryPolicy } from '../../src/domain/delivery-policy.ts';
import type { TestApp } from './test-app.ts';

export function apiClient(t: TestApp) {
  return async function api<T = Record<string, unknown>>(
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    body?: unknown,
    expectStatus?: number,
  ): Promise<T> {
    const response = await t.app.inject({
      method,
      url: `/api/v1${url}`,
      headers: t.admin,
      ...(body === undefined ? {} : { payload: body as Record<string, unknown> }),
    });
    if (expectStatus !== undefined) {
      assert.equal(response.statusCode, expectStatus, `${method} ${url}: ${response.body}`);
    } else {
      assert.ok(
        response.statusCode < 300,
        `${method} ${url} answered ${response.statusCode}: ${response.body}`,
      );
    }
    return (response.body ? JSON.parse(response.body) : {}) as T;
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
