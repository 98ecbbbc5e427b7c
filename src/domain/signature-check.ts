// Checking a received request's signature, as a receiver would: the inverse of signing.ts, for
// each signature scheme of a delivery policy. Pure functions over (headers, body, secrets).
// Standard Webhooks signatures are recomputed and compared in constant time: HMAC-SHA256
// (`v1`) and Ed25519 (`v1a`, deterministic, so recomputing is verifying).
import { timingSafeEqual } from 'node:crypto';
import type { SignatureScheme } from './delivery-policy.ts';
import { prepareSigner, signRawBody, signStandardWebhook } from './signing.ts';

export type SignatureCheck =
  | { result: 'valid'; detail: string }
  | { result: 'invalid'; detail: string }
  | { result: 'unsigned'; detail: string };

/** Whether two texts are equal, compared in constant time. */
export const sameText = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/**
 * Checks one request against one endpoint's scheme and secrets (the current one and rotated
 * ones still valid). `headers` has lower-case names.
 */
export function checkSignature(
  scheme: SignatureScheme,
  secrets: readonly string[],
  headers: Readonly<Record<string, string>>,
  body: Uint8Array,
): SignatureCheck {
  if (scheme.scheme === 'none') {
    return { result: 'unsigned', detail: 'the endpoint is set to send no signature' };
  }
  if (scheme.scheme === 'hmac-sha256') {
    const name = scheme.header.toLowerCase();
    const received = headers[name];
    if (received === undefined) return { result: 'unsigned', detail: `no ${scheme.header} header` };
    for (const secret of secrets) {
      const expected = `${scheme.prefix ?? ''}${signRawBody(secret, Buffer.from(body), scheme.encoding)}`;
      if (sameText(received.trim(), expected)) {
        return { result: 'valid', detail: `${scheme.header} matches the endpoint's secret` };
      }
    }
    return { result: 'invalid', detail: `${scheme.header} matches none of the endpoint's secrets` };
  }
  const prefix = scheme.scheme === 'svix' ? 'svix' : 'webhook';
  const id = headers[`${prefix}-id`];
  const timestamp = headers[`${prefix}-timestamp`];
  const signature = headers[`${prefix}-signature`];
  if (id === undefined && timestamp === undefined && signature === undefined) {
    return { result: 'unsigned', detail: `no ${prefix}-signature header` };
  }
  if (id === undefined || timestamp === undefined || signature === undefined) {
    return {
      result: 'invalid',
      detail: `${prefix}-id, ${prefix}-timestamp and ${prefix}-signature are not all there`,
    };
  }
  const seconds = Number(timestamp);
  if (!/^\d{1,12}$/.test(timestamp.trim()) || !Number.isSafeInteger(seconds)) {
    return { result: 'invalid', detail: `${prefix}-timestamp is not a number of seconds` };
  }
  const received = signature.split(' ').filter((s) => s !== '');
  for (const secret of secrets) {
    let expected: string;
    try {
      expected = signStandardWebhook([prepareSigner(secret)], id, seconds, Buffer.from(body));
    } catch {
      continue; // not a Standard Webhooks secret (e.g. a raw-body one)
    }
    if (received.some((candidate) => sameText(candidate, expected))) {
      return { result: 'valid', detail: `${prefix}-signature verifies with the endpoint's secret` };
    }
  }
  return {
    result: 'invalid',
    detail: `${prefix}-signature verifies with none of the endpoint's secrets`,
  };
}
