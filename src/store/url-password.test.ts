import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSecretBox } from './secret-box.ts';
import { openUrlPassword, sealUrlPassword, urlPasswordNeedsReseal } from './url-password.ts';

const box = createSecretBox(['a main secret of enough length']);
const rotated = createSecretBox([
  'the next main secret, as long',
  'a main secret of enough length',
]);

test('a URL password is sealed in place and opens to the URL as given', () => {
  for (const [url, password] of [
    ['https://hook:s3cr%40t-pw@example.com/hook?x=1#f', 's3cr%40t-pw'],
    ['HTTP://User:Pw-secret-77@[::1]:8080/in', 'Pw-secret-77'],
    ['https://a:pass-word-3@example.com', 'pass-word-3'],
  ] as const) {
    const sealed = sealUrlPassword(box, url);
    assert.equal(sealed.includes(password), false, `${url} keeps its password`);
    assert.match(sealed, /:hsb1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_.-]+@/);
    // Still a URL, with the same host and path: queries on the rest keep working.
    const before = new URL(url);
    const after = new URL(sealed);
    assert.deepEqual(
      [after.protocol, after.username, after.host, after.pathname, after.search, after.hash],
      [before.protocol, before.username, before.host, before.pathname, before.search, before.hash],
    );
    assert.equal(openUrlPassword(box, sealed), url);
    assert.equal(urlPasswordNeedsReseal(box, sealed), false);
    assert.equal(urlPasswordNeedsReseal(rotated, sealed), true, 'sealed with a previous key');
    assert.equal(openUrlPassword(rotated, sealed), url, 'a previous key still opens it');
  }
});

test('URLs without a password are stored as they are', () => {
  for (const url of [
    'https://example.com/hook',
    'https://user@example.com/hook',
    'https://user:@example.com/hook',
    'https://example.com/path:with@signs',
    'https://example.com/?q=a:b@c',
  ]) {
    assert.equal(sealUrlPassword(box, url), url);
    assert.equal(openUrlPassword(box, url), url);
    assert.equal(urlPasswordNeedsReseal(box, url), false);
  }
});

test('a password stored before sealing opens as it is and is due for sealing', () => {
  const plain = 'https://hook:plain-pw@example.com/hook';
  assert.equal(openUrlPassword(box, plain), plain);
  assert.equal(urlPasswordNeedsReseal(box, plain), true);
});
