import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRedactor } from './redact.ts';

const redact = createRedactor(['my-operator-secret-value']);

test('tokens, endpoint secrets and URL credentials are redacted', () => {
  const line = JSON.stringify({
    msg: 'x hrld_admin_AbC-d_e123 and whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw and whsk_abc+/=',
    url: 'https://user:p%40ss@example.com:8443/hook?x=1',
    other: 'postgres://herald:pw@db/herald',
  });
  const out = redact(line);
  for (const secret of ['AbC-d_e123', 'MfKQ9r8GKY', 'abc+/=', 'p%40ss', 'user:', ':pw@']) {
    assert.ok(!out.includes(secret), `${secret} still in ${out}`);
  }
  assert.match(out, /hrld_admin_\[redacted\]/);
  assert.match(out, /https:\/\/\[redacted\]@example\.com:8443\/hook\?x=1/);
  assert.doesNotThrow(() => JSON.parse(out));
});

test('authorization values, secret query parameters and secret-named fields are redacted', () => {
  const line = JSON.stringify({
    req: {
      url: '/portal?token=abcdef123&page=2',
      headers: { authorization: 'Basic dXNlcjpwdw==' },
    },
    headers: { 'X-Api-Key': 'k-123456', 'x-trace': 'visible' },
    note: 'sent with Bearer abc.def.ghi',
  });
  const out = redact(line);
  for (const secret of ['abcdef123', 'dXNlcjpwdw', 'k-123456', 'abc.def.ghi']) {
    assert.ok(!out.includes(secret), `${secret} still in ${out}`);
  }
  assert.ok(out.includes('page=2') && out.includes('visible'));
  assert.doesNotThrow(() => JSON.parse(out));
});

test('known secret values are redacted wherever they appear; other text is untouched', () => {
  assert.equal(redact('a my-operator-secret-value b'), 'a [redacted] b');
  const plain = '{"level":30,"msg":"request completed","responseTime":1.2}';
  assert.equal(redact(plain), plain);
});
