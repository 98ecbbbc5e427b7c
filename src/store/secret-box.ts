// Secrets at rest: endpoint signing secrets, custom headers and cached API answers (which
// may hold portal tokens) are sealed with AES-256-GCM before they reach the database.
// The key is derived (HKDF-SHA256) from Herald's main secret; a sealed value names the key
// it was sealed with, so values sealed with a previous key still open during a rotation.
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';

/** Sealed values start with this; anything else is a value written before encryption. */
const prefix = 'hsb1.';

export type SecretBox = {
  /** Encrypts with the current key. */
  seal(plaintext: string): string;
  /** Decrypts a sealed value (with whichever known key sealed it); plain values pass through. */
  open(value: string): string;
  /** True for a value not sealed, or sealed with a key other than the current one. */
  needsReseal(value: string): boolean;
};

type Key = { id: string; key: Buffer };

function deriveKey(secret: string): Key {
  const key = Buffer.from(hkdfSync('sha256', secret, 'herald', 'secrets at rest v1', 32));
  const id = createHash('sha256').update(key).digest('base64url').slice(0, 8);
  return { id, key };
}

/**
 * `secrets[0]` seals; every entry opens. Throws when a sealed value's key is unknown or the
 * value was altered (GCM's tag does not match): better an error than a wrong secret.
 */
export function createSecretBox(secrets: readonly string[]): SecretBox {
  if (secrets.length === 0 || secrets.some((s) => s.length < 16)) {
    throw new Error('the main secret must be at least 16 characters');
  }
  const keys = secrets.map(deriveKey);
  const current = keys[0] as Key;
  const byId = new Map(keys.map((k) => [k.id, k]));
  return {
    seal(plaintext) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', current.key, iv);
      cipher.setAAD(Buffer.from(current.id));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      const tag = cipher.getAuthTag();
      return `${prefix}${current.id}.${iv.toString('base64url')}.${tag.toString('base64url')}.${body.toString('base64url')}`;
    },
    open(value) {
      if (!value.startsWith(prefix)) return value;
      const [id, iv, tag, body] = value.slice(prefix.length).split('.');
      const key = id === undefined ? undefined : byId.get(id);
      if (!key || iv === undefined || tag === undefined || body === undefined) {
        throw new Error(
          `a stored secret was sealed with an unknown key (${id}): is the main secret right?`,
        );
      }
      const decipher = createDecipheriv('aes-256-gcm', key.key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(key.id));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([
        decipher.update(Buffer.from(body, 'base64url')),
        decipher.final(),
      ]).toString('utf8');
    },
    needsReseal(value) {
      return !value.startsWith(`${prefix}${current.id}.`);
    },
  };
}
