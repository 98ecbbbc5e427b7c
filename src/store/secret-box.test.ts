import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSecretBox } from './secret-box.ts';

const secret = 'main-secret-0123456789abcdef';

test('a sealed value opens to the plaintext and does not contain it', () => {
  const box = createSecretBox([secret]);
  const sealed = box.seal('whsec_c2VjcmV0IGtleQ==');
  assert.doesNotMatch(sealed, /whsec_/);
  assert.equal(box.open(sealed), 'whsec_c2VjcmV0IGtleQ==');
  assert.notEqual(box.seal('same'), box.seal('same'), 'a fresh IV each time');
  assert.equal(box.needsReseal(sealed), false);
});

test('values written before encryption pass through and need sealing', () => {
  const box = createSecretBox([secret]);
  assert.equal(box.open('["whsec_plain"]'), '["whsec_plain"]');
  assert.equal(box.needsReseal('["whsec_plain"]'), true);
});

test('an altered value or a wrong key is refused, not decrypted to garbage', () => {
  const box = createSecretBox([secret]);
  const sealed = box.seal('whsec_abc');
  const parts = sealed.split('.');
  const body = Buffer.from(parts[4] as string, 'base64url');
  body[0] = (body[0] as number) ^ 1;
  parts[4] = body.toString('base64url');
  assert.throws(() => box.open(parts.join('.')), /unable to authenticate data/);
  const other = createSecretBox(['another-secret-0123456789']);
  assert.throws(() => other.open(sealed), /unknown key/);
});

test('after a rotation, values sealed with the previous key open and need resealing', () => {
  const before = createSecretBox([secret]);
  const sealed = before.seal('whsec_old');
  const rotated = createSecretBox(['new-main-secret-0123456789', secret]);
  assert.equal(rotated.open(sealed), 'whsec_old');
  assert.equal(rotated.needsReseal(sealed), true);
  assert.equal(rotated.needsReseal(rotated.seal('x')), false);
});

test('a short main secret is refused', () => {
  assert.throws(() => createSecretBox(['short']), /at least 16 characters/);
});
