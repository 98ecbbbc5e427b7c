// Least exposure: with HERALD_ALLOWED_SUBNETS set, an application's endpoints and test
// requests may reach internal services, and what those answer is the operator's to read.
import type { FastifyRequest } from 'fastify';
import type { Config } from '../config/config.ts';

/**
 * Whether this caller gets no response body from private destinations: every caller but the
 * operator, unless the operator chose to show them (`HERALD_SHOW_PRIVATE_RESPONSES`).
 */
export function hidesPrivateResponses(
  request: FastifyRequest,
  config: Pick<Config, 'showPrivateResponses'>,
): boolean {
  return request.principal?.kind !== 'admin' && !config.showPrivateResponses;
}
