import assert from 'node:assert/strict';
import { createHmac, createPublicKey, randomBytes, verify } from 'node:crypto';
import { test } from 'node:test';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import {
  ed25519PublicKey,
  generateEd25519Secret,
  generateHmacSecret,
  isValidEndpointSecret,
  prepareSigner,
  signRawBody,
  signStandardWebhook,
} from './signing.ts';

test('the Standard Webhooks golden vector', () => {
  const signer = prepareSigner('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
  assert.equal(
    signStandardWebhook(
      [signer],
      'msg_p5jXN8AQM9LWM0D4loKWxJek',
      1614265330,
      '{"test": 2432232314}',
    ),
    'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
  );
});

test('signatures verify with the standardwebhooks package, for every key of a rotation', () => {
  const a = generateHmacSecret(randomBytes);
  const b = generateHmacSecret(randomBytes);
  const body = Buffer.from('{"amount":1200,"note":"ünïcode"}');
  const timestamp = Math.floor(Date.now() / 1000);
  const header = signStandardWebhook(
    [prepareSigner(a), prepareSigner(b)],
    'msg_1',
    timestamp,
    body,
  );
  assert.equal(header.split(' ').length, 2);
  const headers = {
    'webhook-id': 'msg_1',
    'webhook-timestamp': String(timestamp),
    'webhook-signature': header,
  };
  for (const secret of [a, b])
    new StandardWebhook(secret.slice(6)).verify(body.toString(), headers);
  assert.throws(() =>
    new StandardWebhook(generateHmacSecret(randomBytes).slice(6)).verify(body.toString(), headers),
  );
});

test('Ed25519 keys sign v1a signatures that verify with the public key', () => {
  const { secret, publicKey } = generateEd25519Secret();
  assert.ok(isValidEndpointSecret(secret));
  assert.equal(ed25519PublicKey(secret), publicKey);
  const signature = signStandardWebhook([prepareSigner(secret)], 'msg_2', 1700000000, 'hello');
  assert.match(signature, /^v1a,/);
  const key = createPublicKey({
    key: {
      kty: 'OKP',
      crv: 'Ed25519',
      x: Buffer.from(publicKey.slice(5), 'base64').toString('base64url'),
    },
    format: 'jwk',
  });
  assert.ok(
    verify(
      null,
      Buffer.from('msg_2.1700000000.hello'),
      key,
      Buffer.from(signature.slice(4), 'base64'),
    ),
  );
});

test('raw-body HMAC matches the senders’ documented recipes', () => {
  const payload = '{"id":"evt_abc123","type":"resource.created"}';
  assert.equal(
    signRawBody('your_webhook_secret', payload, 'hex'),
    createHmac('sha256', 'your_webhook_secret').update(payload).digest('hex'),
  );
  assert.equal(
    signRawBody('yoursharedsecret', payload, 'base64'),
    createHmac('sha256', 'yoursharedsecret').update(payload).digest().toString('base64'),
  );
});

test('secret validation', () => {
  const secret = generateHmacSecret(randomBytes);
  assert.match(secret, /^whsec_[A-Za-z0-9+/]{32}$/);
  assert.ok(isValidEndpointSecret(secret));
  assert.ok(isValidEndpointSecret(`whsec_${randomBytes(64).toString('base64')}`));
  assert.equal(
    isValidEndpointSecret(`whsec_${randomBytes(16).toString('base64')}`),
    false,
    'too short',
  );
  assert.equal(
    isValidEndpointSecret(`whsec_${randomBytes(65).toString('base64')}`),
    false,
    'too long',
  );
  assert.equal(isValidEndpointSecret('whsec_not base64!'), false);
  assert.equal(isValidEndpointSecret('plain-text-secret'), false);
  assert.equal(isValidEndpointSecret('whsk_AAAA'), false);
  assert.throws(() => prepareSigner('plain-text-secret'), /whsec_ or whsk_/);
});
