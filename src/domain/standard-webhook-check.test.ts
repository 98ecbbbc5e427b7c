import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { generateEd25519Secret, prepareSigner, signStandardWebhook } from './signing.ts';
import { checkStandardWebhook } from './standard-webhook-check.ts';

const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const id = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
const timestamp = 1614265330;
const body = '{"test": 2432232314}';
const golden = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=';
const headers = (signature: string, ts = timestamp) => ({
  'webhook-id': id,
  'webhook-timestamp': String(ts),
  'webhook-signature': signature,
});

test('the Standard Webhooks vector verifies; a changed body, id or signature does not', () => {
  const ok = checkStandardWebhook({
    secret,
    headers: headers(`v1,bogus ${golden}`),
    body,
    nowSeconds: timestamp + 10,
  });
  assert.deepEqual(ok, { ok: true, msgId: id, timestamp });
  for (const [changedBody, changedHeaders] of [
    [`${body} `, headers(golden)],
    [body, { ...headers(golden), 'webhook-id': 'msg_other' }],
    [body, headers(golden.replace('g0h', 'g0H'))],
  ] as const) {
    const result = checkStandardWebhook({
      secret,
      headers: changedHeaders,
      body: changedBody,
      nowSeconds: timestamp,
    });
    assert.deepEqual(result, { ok: false, reason: 'no signature matches' });
  }
});

test('a timestamp outside five minutes is refused, svix-* names are read too', () => {
  const late = checkStandardWebhook({
    secret,
    headers: headers(golden),
    body,
    nowSeconds: timestamp + 301,
  });
  assert.equal(late.ok, false);
  const svix = checkStandardWebhook({
    secret,
    headers: { 'Svix-Id': id, 'Svix-Timestamp': String(timestamp), 'Svix-Signature': golden },
    body,
    nowSeconds: timestamp,
  });
  assert.equal(svix.ok, true);
});

test('agrees with the standardwebhooks library on what it signs', () => {
  const now = Math.floor(Date.now() / 1000);
  const signature = new Webhook(secret).sign(id, new Date(now * 1000), body);
  assert.equal(
    checkStandardWebhook({ secret, headers: headers(signature, now), body, nowSeconds: now }).ok,
    true,
  );
});

test('Ed25519: verified with the whsk_ secret or the whpk_ public key', () => {
  const pair = generateEd25519Secret();
  const signature = signStandardWebhook([prepareSigner(pair.secret)], id, timestamp, body);
  for (const key of [pair.secret, pair.publicKey]) {
    const good = { secret: key, headers: headers(signature), body, nowSeconds: timestamp };
    assert.equal(checkStandardWebhook(good).ok, true);
    assert.equal(checkStandardWebhook({ ...good, body: `${body}x` }).ok, false);
  }
});
