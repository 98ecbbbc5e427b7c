// Request signing, as pure functions of (secret, id, timestamp, body bytes); no I/O beyond
// node:crypto.
//
// Standard Webhooks (and Svix) sign `${msgId}.${timestamp}.${body}`:
// - `whsec_` + base64 of 24-64 random bytes → `v1,` + base64 HMAC-SHA256;
// - `whsk_` + base64 of a 64-byte Ed25519 secret key (32-byte seed then the 32-byte public
//   key, the layout Svix stores and accepts) → `v1a,` + base64 Ed25519; receivers verify with
//   `whpk_` + base64 of the 32-byte public key.
// Secrets are parsed once by `prepareSigner`, so the delivery hot path does no decoding.
// Some senders sign the raw body alone with a plain-text key (`signRawBody`).
import {
  createHmac,
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  randomBytes as cryptoRandomBytes,
  generateKeyPairSync,
  type KeyObject,
  sign,
} from 'node:crypto';

/**
 * A parsed signing secret, ready for `signStandardWebhook`. Treat it as opaque: build it with
 * `prepareSigner` only. Keys are node:crypto KeyObjects (HMAC with a KeyObject is several times
 * faster than with raw key bytes, which Node re-imports on every call).
 */
export type Signer =
  | { readonly scheme: 'v1'; readonly key: KeyObject }
  | { readonly scheme: 'v1a'; readonly key: KeyObject };

const hmacPrefix = 'whsec_';
const ed25519SecretPrefix = 'whsk_';
const ed25519PublicPrefix = 'whpk_';
const hmacMinBytes = 24;
const hmacMaxBytes = 64;
const hmacGeneratedBytes = 24;
// DER header of a PKCS#8 Ed25519 private key (RFC 8410); the 32-byte seed follows it.
const pkcs8Ed25519Header = Buffer.from('302e020100300506032b657004220420', 'hex');

/** Decodes canonical, padded standard base64 (what Svix's server and SDKs accept), else null. */
function decodeBase64(text: string): Buffer | null {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return null;
  const bytes = Buffer.from(text, 'base64');
  // The round trip rejects missing padding and non-zero padding bits, which lenient decoders
  // ignore and strict ones (Svix's server) refuse.
  return bytes.toString('base64') === text ? bytes : null;
}

function publicKeyBytes(privateKey: KeyObject): Buffer {
  const { x } = createPublicKey(privateKey).export({ format: 'jwk' });
  return Buffer.from(String(x), 'base64url');
}

type Ed25519Pair = { privateKey: KeyObject; publicKey: Buffer };

/** Parses `whsk_` + base64(seed ‖ public key); null unless the public half matches the seed. */
function parseEd25519Secret(secret: string): Ed25519Pair | null {
  if (!secret.startsWith(ed25519SecretPrefix)) return null;
  const bytes = decodeBase64(secret.slice(ed25519SecretPrefix.length));
  if (bytes?.length !== 64) return null;
  const privateKey = createPrivateKey({
    key: Buffer.concat([pkcs8Ed25519Header, bytes.subarray(0, 32)]),
    format: 'der',
    type: 'pkcs8',
  });
  const publicKey = publicKeyBytes(privateKey);
  return publicKey.equals(bytes.subarray(32)) ? { privateKey, publicKey } : null;
}

/** The HMAC key bytes of a `whsec_` secret, or null when malformed or outside 24-64 bytes. */
function parseHmacSecret(secret: string): Buffer | null {
  if (!secret.startsWith(hmacPrefix)) return null;
  const key = decodeBase64(secret.slice(hmacPrefix.length));
  return key && key.length >= hmacMinBytes && key.length <= hmacMaxBytes ? key : null;
}

/** A new `whsec_` secret: base64 of 24 random bytes (Svix's size). */
export function generateHmacSecret(randomBytes: (n: number) => Buffer = cryptoRandomBytes): string {
  const key = randomBytes(hmacGeneratedBytes);
  if (key.length !== hmacGeneratedBytes) throw new Error('randomBytes returned the wrong length');
  return `${hmacPrefix}${key.toString('base64')}`;
}

/** A new Ed25519 key pair: the `whsk_` signing secret and the `whpk_` key receivers verify with. */
export function generateEd25519Secret(): { secret: string; publicKey: string } {
  const { privateKey } = generateKeyPairSync('ed25519');
  const { d } = privateKey.export({ format: 'jwk' });
  const seed = Buffer.from(String(d), 'base64url');
  const publicKey = publicKeyBytes(privateKey);
  return {
    secret: `${ed25519SecretPrefix}${Buffer.concat([seed, publicKey]).toString('base64')}`,
    publicKey: `${ed25519PublicPrefix}${publicKey.toString('base64')}`,
  };
}

/** The `whpk_` public key of a `whsk_` secret, shown to receivers to verify `v1a` signatures. */
export function ed25519PublicKey(secret: string): string {
  const pair = parseEd25519Secret(secret);
  if (!pair) throw new Error('not a valid whsk_ secret');
  return `${ed25519PublicPrefix}${pair.publicKey.toString('base64')}`;
}

/**
 * Whether `secret` can sign Standard Webhooks: `whsec_` + canonical base64 of 24 to 64 bytes,
 * or `whsk_` + canonical base64 of a 64-byte Ed25519 key whose public half matches its seed.
 */
export function isValidEndpointSecret(secret: string): boolean {
  return parseHmacSecret(secret) !== null || parseEd25519Secret(secret) !== null;
}

/** Parses a secret once into a signer; throws on anything `isValidEndpointSecret` refuses. */
export function prepareSigner(secret: string): Signer {
  if (secret.startsWith(hmacPrefix)) {
    const key = parseHmacSecret(secret);
    if (!key) throw new Error('a whsec_ secret is base64 of 24 to 64 bytes');
    return Object.freeze({ scheme: 'v1', key: createSecretKey(key) });
  }
  if (secret.startsWith(ed25519SecretPrefix)) {
    const pair = parseEd25519Secret(secret);
    if (!pair) throw new Error('a whsk_ secret is base64 of a 64-byte Ed25519 key pair');
    return Object.freeze({ scheme: 'v1a', key: pair.privateKey });
  }
  throw new Error('a signing secret starts with whsec_ or whsk_');
}

/**
 * The `webhook-signature` header value: one `v1,…` or `v1a,…` signature per signer (several
 * during a key rotation), space-separated, over `${msgId}.${timestampSeconds}.${body}` with the
 * body's exact bytes (a string body is signed as UTF-8). No signers give an empty string.
 */
export function signStandardWebhook(
  signers: readonly Signer[],
  msgId: string,
  timestampSeconds: number,
  body: Buffer | string,
): string {
  const prefix = `${msgId}.${timestampSeconds}.`;
  let content: Buffer | null = null;
  const signatures: string[] = [];
  for (const signer of signers) {
    if (signer.scheme === 'v1') {
      const mac = createHmac('sha256', signer.key).update(prefix).update(body).digest('base64');
      signatures.push(`v1,${mac}`);
    } else {
      content ??= Buffer.concat([Buffer.from(prefix), Buffer.from(body)]);
      signatures.push(`v1a,${sign(null, content, signer.key).toString('base64')}`);
    }
  }
  return signatures.join(' ');
}

/**
 * HMAC-SHA256 of the raw body alone, hex or base64, for senders that document
 * `X-…-Signature: <digest>`. A string key is used as its UTF-8 bytes (not base64-decoded), as
 * those senders' verification recipes do.
 */
export function signRawBody(
  key: string | Buffer,
  body: Buffer | string,
  encoding: 'hex' | 'base64',
): string {
  return createHmac('sha256', key).update(body).digest(encoding);
}
