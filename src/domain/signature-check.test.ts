import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkSignature } from './signature-check.ts';
import {
  generateEd25519Secret,
  prepareSigner,
  signRawBody,
  signStandardWebhook,
} from './signing.ts';

const hmac = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const body = Buffer.from('{"a":1}');

test('Standard Webhooks and svix-* signatures verify with any active secret, HMAC or Ed25519', () => {
  const ed = generateEd25519Secret().secret;
  for (const scheme of ['standard', 'svix'] as const) {
    const prefix = scheme === 'svix' ? 'svix' : 'webhook';
    for (const secret of [hmac, ed]) {
      const headers = {
        [`${prefix}-id`]: 'msg_1',
        [`${prefix}-timestamp`]: '1700000000',
        [`${prefix}-signature`]: `v1,bogus ${signStandardWebhook([prepareSigner(secret)], 'msg_1', 1700000000, body)}`,
      };
      assert.equal(
        checkSignature(
          { scheme },
          ['whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', secret],
          headers,
          body,
        ).result,
        'valid',
      );
      assert.equal(
        checkSignature({ scheme }, [secret], headers, Buffer.from('{"a":2}')).result,
        'invalid',
      );
      assert.equal(
        checkSignature({ scheme }, [secret], { ...headers, [`${prefix}-id`]: 'msg_2' }, body)
          .result,
        'invalid',
      );
    }
    assert.equal(checkSignature({ scheme }, [hmac], {}, body).result, 'unsigned');
  }
  // The other scheme's header names do not count.
  const svixHeaders = {
    'svix-id': 'msg_1',
    'svix-timestamp': '1700000000',
    'svix-signature': signStandardWebhook([prepareSigner(hmac)], 'msg_1', 1700000000, body),
  };
  assert.equal(
    checkSignature({ scheme: 'standard' }, [hmac], svixHeaders, body).result,
    'unsigned',
  );
});

test('raw-body HMAC schemes verify the named header with its prefix and encoding', () => {
  const scheme = {
    scheme: 'hmac-sha256',
    header: 'X-Sig',
    encoding: 'base64',
    prefix: 'sha256=',
  } as const;
  const good = `sha256=${signRawBody('key-one', body, 'base64')}`;
  assert.equal(
    checkSignature(scheme, ['key-two', 'key-one'], { 'x-sig': good }, body).result,
    'valid',
  );
  assert.equal(checkSignature(scheme, ['key-two'], { 'x-sig': good }, body).result, 'invalid');
  assert.equal(checkSignature(scheme, ['key-one'], {}, body).result, 'unsigned');
  assert.equal(
    checkSignature({ scheme: 'none' }, ['key-one'], { 'x-sig': good }, body).result,
    'unsigned',
  );
});
