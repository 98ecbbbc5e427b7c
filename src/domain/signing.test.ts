import assert from 'node:assert/strict';
import { createHmac, createPublicKey, randomBytes, verify } from 'node:crypto';
import { test } from 'node:test';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as Svix2Webhook } from 'svix';
import { Webhook as Svix1Webhook } from 'svix1';
import {
  ed25519PublicKey,
  generateEd25519Secret,
  generateHmacSecret,
  isValidEndpointSecret,
  prepareSigner,
  signRawBody,
  signStandardWebhook,
} from './signing.ts';

const golden = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  msgId: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
};

// Svix's own Ed25519 test key (seed ‖ public key) and the signature it expects over the golden
// message; Ed25519 signatures are deterministic.
const svixEd25519 = {
  secret:
    'whsk_6Xb/dCcHpPea21PS1N9VY/NZW723CEc77N4rJCubMbfVKIDij2HKpMKkioLlX0dRqSKJp4AJ6p9lMicMFs6Kvg==',
  publicKey: 'whpk_1SiA4o9hyqTCpIqC5V9HUakiiaeACeqfZTInDBbOir4=',
  signature:
    'v1a,hnO3f9T8Ytu9HwrXslvumlUpqtNVqkhqw/enGzPCXe5BdqzCInXqYXFymVJaA7AZdpXwVLPo3mNl8EM+m7TBAg==',
};

function verifyEd25519(publicKey: string, content: string, signature: string): boolean {
  const key = createPublicKey({
    key: {
      kty: 'OKP',
      crv: 'Ed25519',
      x: Buffer.from(publicKey.slice('whpk_'.length), 'base64').toString('base64url'),
    },
    format: 'jwk',
  });
  return verify(
    null,
    Buffer.from(content),
    key,
    Buffer.from(signature.slice('v1a,'.length), 'base64'),
  );
}

test('the Standard Webhooks golden vector', () => {
  const { secret, msgId, timestamp, body } = golden;
  const expected = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=';
  assert.equal(signStandardWebhook([prepareSigner(secret)], msgId, timestamp, body), expected);
  assert.equal(
    signStandardWebhook([prepareSigner(secret)], msgId, timestamp, Buffer.from(body)),
    expected,
    'a Buffer body signs the same bytes',
  );
});

test('Svix’s Ed25519 vector: v1a signature and whpk_ public key', () => {
  const { msgId, timestamp, body } = golden;
  assert.equal(
    signStandardWebhook([prepareSigner(svixEd25519.secret)], msgId, timestamp, body),
    svixEd25519.signature,
  );
  assert.equal(ed25519PublicKey(svixEd25519.secret), svixEd25519.publicKey);
});

test('rotation: one signature per signer, each verifying with standardwebhooks and both svix SDKs', () => {
  const old = generateHmacSecret();
  const current = generateHmacSecret(randomBytes);
  const stranger = generateHmacSecret();
  const body = Buffer.from('{"amount":1200,"note":"ünïcode ✓"}');
  const msgId = 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W';
  const timestamp = Math.floor(Date.now() / 1000);
  const signature = signStandardWebhook(
    [prepareSigner(old), prepareSigner(current)],
    msgId,
    timestamp,
    body,
  );
  assert.match(signature, /^v1,[A-Za-z0-9+/]{43}= v1,[A-Za-z0-9+/]{43}=$/);

  const standard = {
    'webhook-id': msgId,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signature,
  };
  const svixNamed = {
    'svix-id': msgId,
    'svix-timestamp': String(timestamp),
    'svix-signature': signature,
  };
  const verifiers: ((secret: string) => unknown)[] = [
    (secret: string) => new StandardWebhook(secret).verify(body.toString(), standard),
    (secret: string) => new Svix2Webhook(secret).verify(body.toString(), svixNamed),
    (secret: string) => new Svix2Webhook(secret).verify(body, standard),
    (secret: string) => new Svix1Webhook(secret).verify(body.toString(), svixNamed),
    (secret: string) => new Svix1Webhook(secret).verify(body, standard),
  ];
  for (const check of verifiers) {
    // verify() throws on a mismatch (svix 2.x returns nothing, 1.x the parsed JSON).
    for (const secret of [old, current]) assert.doesNotThrow(() => check(secret));
    assert.throws(() => check(stranger), /signature/i, 'an unrelated secret must not verify');
  }

  const tampered = Buffer.from(body.toString().replace('1200', '1201'));
  assert.throws(() => new Svix2Webhook(current).verify(tampered, standard), /signature/i);
  assert.throws(
    () => new Svix1Webhook(current).verify(body, { ...svixNamed, 'svix-id': 'msg_other' }),
    /signature/i,
  );
});

test('Ed25519: generated keys sign v1a signatures that node:crypto verifies with the whpk_ key', () => {
  const { secret, publicKey } = generateEd25519Secret();
  assert.match(secret, /^whsk_[A-Za-z0-9+/]{86}==$/);
  assert.match(publicKey, /^whpk_[A-Za-z0-9+/]{43}=$/);
  assert.ok(isValidEndpointSecret(secret));
  assert.equal(ed25519PublicKey(secret), publicKey);

  const body = Buffer.from('{"type":"invoice.paid"}');
  const signature = signStandardWebhook([prepareSigner(secret)], 'msg_2', 1700000000, body);
  assert.match(signature, /^v1a,[A-Za-z0-9+/]{86}==$/);
  assert.ok(verifyEd25519(publicKey, `msg_2.1700000000.${body}`, signature));
  assert.equal(verifyEd25519(publicKey, `msg_2.1700000001.${body}`, signature), false);
  assert.equal(
    verifyEd25519(generateEd25519Secret().publicKey, `msg_2.1700000000.${body}`, signature),
    false,
  );
});

test('mixed rotation: HMAC and Ed25519 signers in order', () => {
  const hmac = generateHmacSecret();
  const ed = generateEd25519Secret();
  const header = signStandardWebhook(
    [prepareSigner(hmac), prepareSigner(ed.secret)],
    'msg_3',
    1700000000,
    'x',
  );
  const [first, second, ...rest] = header.split(' ');
  assert.equal(rest.length, 0);
  assert.equal(
    first,
    `v1,${createHmac('sha256', Buffer.from(hmac.slice(6), 'base64'))
      .update('msg_3.1700000000.x')
      .digest('base64')}`,
  );
  assert.ok(second && verifyEd25519(ed.publicKey, 'msg_3.1700000000.x', second));
  assert.equal(signStandardWebhook([], 'msg_3', 1700000000, 'x'), '');
});

test('raw-body HMAC matches the senders’ recipes and values computed with openssl', () => {
  // Generic REST API recipe: createHmac('sha256', secret).update(payload).digest('hex').
  const payload = '{"id":"evt_abc123","type":"resource.created"}';
  const hex = '81c93c0ce4c4f9ce25cfd4172304491c3c34257b0a2e5c302befbeea3e029300';
  assert.equal(signRawBody('your_webhook_secret', payload, 'hex'), hex);
  assert.equal(signRawBody('your_webhook_secret', Buffer.from(payload), 'hex'), hex);
  assert.equal(
    signRawBody('your_webhook_secret', payload, 'hex'),
    createHmac('sha256', 'your_webhook_secret').update(payload).digest('hex'),
  );
  // Fast Events recipe: createHmac(...).update(payload).digest().toString('base64').
  assert.equal(
    signRawBody('yoursharedsecret', payload, 'base64'),
    's0QaYGSezdv+ASt1qeNnrQ6W5U4YVoWnqtVvu3aJtzs=',
  );
  assert.equal(
    signRawBody('yoursharedsecret', '', 'base64'),
    'N7mv5kb2tWeA23kbUOr2ZWSeJFKGClVU1kVZMs6jAoc=',
    'the empty-body test request is signed too',
  );
  // A string key is its UTF-8 bytes, never base64-decoded (Python recipe: secret.encode()).
  const unicode = '{"id":"evt_abc123","type":"resource.created","data":{"object":{"name":"Café"}}}';
  const unicodeHex = '055a0cd81bccd9e1af89cd62287e809b75a47bd25d8c30cbe943165574574adc';
  assert.equal(signRawBody('clé_secrète', unicode, 'hex'), unicodeHex);
  assert.equal(signRawBody(Buffer.from('clé_secrète'), Buffer.from(unicode), 'hex'), unicodeHex);
  const whsecLooking = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  assert.equal(
    signRawBody(whsecLooking, payload, 'hex'),
    createHmac('sha256', Buffer.from(whsecLooking, 'utf8')).update(payload).digest('hex'),
  );
});

test('generated HMAC secrets: whsec_ + base64 of 24 bytes from the given source', () => {
  const fixed = generateHmacSecret((n) => Buffer.alloc(n, 0xab));
  assert.equal(fixed, `whsec_${Buffer.alloc(24, 0xab).toString('base64')}`);
  const secret = generateHmacSecret();
  assert.match(secret, /^whsec_[A-Za-z0-9+/]{32}$/);
  assert.notEqual(secret, generateHmacSecret());
  assert.ok(isValidEndpointSecret(secret));
  assert.throws(() => generateHmacSecret((n) => Buffer.alloc(n - 1)), /wrong length/);
});

test('secret validation edge cases', () => {
  const whsec = (bytes: number) => `whsec_${randomBytes(bytes).toString('base64')}`;
  assert.ok(isValidEndpointSecret(golden.secret));
  assert.ok(isValidEndpointSecret(whsec(24)), '24 bytes, the minimum');
  assert.ok(isValidEndpointSecret(whsec(32)), 'padded base64');
  assert.ok(isValidEndpointSecret(whsec(64)), '64 bytes, the maximum');
  assert.equal(isValidEndpointSecret(whsec(23)), false, 'too short');
  assert.equal(isValidEndpointSecret(whsec(65)), false, 'too long');
  assert.equal(isValidEndpointSecret('whsec_'), false, 'empty');
  assert.equal(isValidEndpointSecret(`${whsec(32).slice(0, -1)}`), false, 'missing padding');
  assert.equal(isValidEndpointSecret(`${whsec(24)}=`), false, 'stray padding');
  assert.equal(isValidEndpointSecret(`${whsec(24)} `), false, 'trailing space');
  assert.equal(isValidEndpointSecret('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS_'), false, 'base64url');
  // 25 bytes end in `xw==`; `xx==` carries non-zero padding bits that strict decoders refuse.
  const nonCanonical = `whsec_${Buffer.alloc(25, 0xc7).toString('base64').slice(0, -3)}x==`;
  assert.equal(isValidEndpointSecret(nonCanonical), false, 'non-canonical base64');
  assert.equal(
    isValidEndpointSecret('WHSEC_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'),
    false,
    'prefix case',
  );
  assert.equal(isValidEndpointSecret('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'), false, 'no prefix');
  assert.equal(isValidEndpointSecret('plain-text-secret'), false);

  assert.ok(isValidEndpointSecret(svixEd25519.secret));
  assert.equal(isValidEndpointSecret(svixEd25519.publicKey), false, 'a public key cannot sign');
  assert.equal(
    isValidEndpointSecret(svixEd25519.secret.replace('ioLlX0dRqSKJ', 'ioLlaaaaaaaa')),
    false,
    'public half does not match the seed',
  );
  assert.equal(isValidEndpointSecret(svixEd25519.secret.slice(0, -2)), false, 'truncated');
  assert.equal(
    isValidEndpointSecret(`whsk_${randomBytes(32).toString('base64')}`),
    false,
    'a bare 32-byte seed is not the Svix layout',
  );

  assert.throws(() => prepareSigner('plain-text-secret'), /whsec_ or whsk_/);
  assert.throws(() => prepareSigner(whsec(16)), /24 to 64 bytes/);
  assert.throws(() => prepareSigner('whsk_AAAA'), /64-byte/);
  assert.throws(() => ed25519PublicKey(golden.secret), /whsk_/);
});
