// Signing, as pure functions of (secret, id, timestamp, body bytes). Standard Webhooks:
// `v1,` + base64 HMAC-SHA256 with a `whsec_` secret, or `v1a,` + base64 Ed25519 with a
// `whsk_` key, over `${id}.${timestamp}.${body}`. Secrets are parsed once into signers so the
// delivery hot path does no decoding.
import {
  createHmac,
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
} from 'node:crypto';

export type Signer =
  | { readonly scheme: 'v1'; readonly key: KeyObject }
  | { readonly scheme: 'v1a'; readonly key: KeyObject };

const hmacPrefix = 'whsec_';
const ed25519SecretPrefix = 'whsk_';
const ed25519PublicPrefix = 'whpk_';
// The DER prefix of a PKCS#8 Ed25519 private key: the 32-byte seed follows it.
const pkcs8Ed25519Prefix = Buffer.from('302e020100300506032b657004220420', 'hex');

function decodeBase64(text: string): Buffer | null {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return null;
  return Buffer.from(text, 'base64');
}

/** A new `whsec_` secret: 24 random bytes in base64. */
export function generateHmacSecret(randomBytes: (n: number) => Buffer): string {
  return `${hmacPrefix}${randomBytes(24).toString('base64')}`;
}

/** A new Ed25519 key pair: `whsk_` + base64 of the 32-byte seed, `whpk_` + base64 of the public key. */
export function generateEd25519Secret(): { secret: string; publicKey: string } {
  const { privateKey } = generateKeyPairSync('ed25519');
  return { secret: ed25519SecretOf(privateKey), publicKey: ed25519PublicKeyOf(privateKey) };
}

function ed25519SecretOf(privateKey: KeyObject): string {
  const der = privateKey.export({ format: 'der', type: 'pkcs8' });
  return `${ed25519SecretPrefix}${der.subarray(pkcs8Ed25519Prefix.length).toString('base64')}`;
}

function ed25519PublicKeyOf(privateKey: KeyObject): string {
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  return `${ed25519PublicPrefix}${Buffer.from(String(jwk.x), 'base64url').toString('base64')}`;
}

function ed25519PrivateKey(secret: string): KeyObject | null {
  const seed = decodeBase64(secret.slice(ed25519SecretPrefix.length));
  if (seed?.length !== 32) return null;
  return createPrivateKey({
    key: Buffer.concat([pkcs8Ed25519Prefix, seed]),
    format: 'der',
    type: 'pkcs8',
  });
}

/** The `whpk_` public key of a `whsk_` secret, for receivers to verify `v1a` signatures. */
export function ed25519PublicKey(secret: string): string {
  const key = ed25519PrivateKey(secret);
  if (!key) throw new Error('not a valid whsk_ secret');
  return ed25519PublicKeyOf(key);
}

/** Accepts `whsec_` + base64 of 24 to 64 bytes, and `whsk_` + base64 of a 32-byte seed. */
export function isValidEndpointSecret(secret: string): boolean {
  if (secret.startsWith(hmacPrefix)) {
    const key = decodeBase64(secret.slice(hmacPrefix.length));
    return key !== null && key.length >= 24 && key.length <= 64;
  }
  if (secret.startsWith(ed25519SecretPrefix)) return ed25519PrivateKey(secret) !== null;
  return false;
}

export function prepareSigner(secret: string): Signer {
  if (secret.startsWith(hmacPrefix)) {
    const key = decodeBase64(secret.slice(hmacPrefix.length));
    if (!key) throw new Error('not a valid whsec_ secret');
    return { scheme: 'v1', key: createSecretKey(key) };
  }
  if (secret.startsWith(ed25519SecretPrefix)) {
    const key = ed25519PrivateKey(secret);
    if (!key) throw new Error('not a valid whsk_ secret');
    return { scheme: 'v1a', key };
  }
  throw new Error('a signing secret starts with whsec_ or whsk_');
}

/** The `webhook-signature` value: one signature per signer, space-separated. */
export function signStandardWebhook(
  signers: readonly Signer[],
  msgId: string,
  timestampSeconds: number,
  body: Buffer | string,
): string {
  const prefix = `${msgId}.${timestampSeconds}.`;
  let ed25519Content: Buffer | null = null;
  return signers
    .map((s) => {
      if (s.scheme === 'v1') {
        return `v1,${createHmac('sha256', s.key).update(prefix).update(body).digest('base64')}`;
      }
      ed25519Content ??= Buffer.concat([Buffer.from(prefix), Buffer.from(body)]);
      return `v1a,${sign(null, ed25519Content, s.key).toString('base64')}`;
    })
    .join(' ');
}

/** HMAC-SHA256 of the raw body alone (senders that sign `X-…-Signature: <hex or base64>`). */
export function signRawBody(
  key: string | Buffer,
  body: Buffer | string,
  encoding: 'hex' | 'base64',
): string {
  return createHmac('sha256', key).update(body).digest(encoding);
}
