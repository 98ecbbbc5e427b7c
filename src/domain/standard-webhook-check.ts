// Checking a Standard Webhooks request, as a receiver does: the signature over
// `${id}.${timestamp}.${body}` with any of the listed signatures matching, and a timestamp
// within the tolerance (5 minutes, the spec's window). `herald listen` and `herald verify`
// use it; Herald's own deliveries are made by `signStandardWebhook`.
import { createPublicKey, verify } from 'node:crypto';
import { sameText } from './signature-check.ts';
import { ed25519PublicKey, prepareSigner, signStandardWebhook } from './signing.ts';

export type SignatureCheck =
  | { ok: true; msgId: string; timestamp: number }
  | { ok: false; reason: string };

// DER header of an SPKI Ed25519 public key (RFC 8410); the 32 key bytes follow it.
const spkiEd25519Header = Buffer.from('302a300506032b6570032100', 'hex');

/** The request's id, timestamp and signature headers, `webhook-*` or `svix-*` names. */
function signatureHeaders(headers: Record<string, string | undefined>) {
  const lower: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers)) lower[name.toLowerCase()] = value;
  const pick = (suffix: string) => lower[`webhook-${suffix}`] ?? lower[`svix-${suffix}`];
  return { id: pick('id'), timestamp: pick('timestamp'), signature: pick('signature') };
}

/**
 * Checks a request against a secret: `whsec_` (HMAC, `v1`), or `whsk_`/`whpk_` (Ed25519,
 * `v1a`). `nowSeconds` is the receiver's clock.
 */
export function checkStandardWebhook(input: {
  secret: string;
  headers: Record<string, string | undefined>;
  body: Buffer | string;
  nowSeconds: number;
  toleranceSeconds?: number;
}): SignatureCheck {
  const { id, timestamp, signature } = signatureHeaders(input.headers);
  if (!id || !timestamp || !signature) {
    return { ok: false, reason: 'missing webhook-id, webhook-timestamp or webhook-signature' };
  }
  if (!/^\d+$/.test(timestamp)) return { ok: false, reason: 'the timestamp is not a number' };
  const seconds = Number(timestamp);
  const tolerance = input.toleranceSeconds ?? 300;
  if (Math.abs(input.nowSeconds - seconds) > tolerance) {
    return { ok: false, reason: `the timestamp is more than ${tolerance} s from now` };
  }
  const given = signature.split(' ').filter((s) => s !== '');
  let matched: boolean;
  try {
    if (input.secret.startsWith('whsec_')) {
      const expected = signStandardWebhook([prepareSigner(input.secret)], id, seconds, input.body);
      matched = given.some((s) => sameText(s, expected));
    } else if (input.secret.startsWith('whsk_') || input.secret.startsWith('whpk_')) {
      const publicText = input.secret.startsWith('whsk_')
        ? ed25519PublicKey(input.secret)
        : input.secret;
      const raw = Buffer.from(publicText.slice('whpk_'.length), 'base64');
      if (raw.length !== 32) throw new Error('a whpk_ key is base64 of 32 bytes');
      const key = createPublicKey({
        key: Buffer.concat([spkiEd25519Header, raw]),
        format: 'der',
        type: 'spki',
      });
      const content = Buffer.concat([Buffer.from(`${id}.${seconds}.`), Buffer.from(input.body)]);
      matched = given.some(
        (s) =>
          s.startsWith('v1a,') && verify(null, content, key, Buffer.from(s.slice(4), 'base64')),
      );
    } else {
      return { ok: false, reason: 'the secret starts with neither whsec_, whsk_ nor whpk_' };
    }
  } catch (error) {
    return { ok: false, reason: `unusable secret: ${(error as Error).message}` };
  }
  return matched
    ? { ok: true, msgId: id, timestamp: seconds }
    : { ok: false, reason: 'no signature matches' };
}
