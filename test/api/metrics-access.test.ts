// Who may read GET /metrics: loopback callers with no token by default, others with the
// operator token; with HERALD_METRICS_TOKEN set, everyone gives that token (or the operator's).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { client } from '../helpers/client.ts';
import { adminToken, createTestApp, type TestApp } from '../helpers/test-app.ts';

const metricsToken = 'metrics_token_0123456789abcdef';

const scrape = (t: TestApp, remoteAddress: string, token?: string) =>
  client(t).call({ url: '/metrics', remoteAddress, token: token ?? null, expect: 'text' });

describe('without a metrics token', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  test('loopback callers read the metrics with no token', async () => {
    for (const address of ['127.0.0.1', '::1', '::ffff:127.0.0.1']) {
      const r = await scrape(t, address);
      assert.equal(r.status, 200, address);
      assert.match(String(r.headers['content-type']), /^text\/plain; version=0\.0\.4/);
      assert.match(r.text, /^# HELP herald_attempts_total /m);
    }
  });

  test('other callers need the operator token', async () => {
    const refused = await scrape(t, '10.1.2.3');
    assert.equal(refused.status, 401);
    assert.equal(refused.body.code, 'authentication_failed');
    assert.equal((await scrape(t, '10.1.2.3', 'not_a_real_token_012345')).status, 401);
    assert.equal((await scrape(t, '10.1.2.3', adminToken)).status, 200);
  });
});

describe('with HERALD_METRICS_TOKEN', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ config: { metricsToken } });
  });
  after(() => t.close());

  test('every caller, loopback too, gives the metrics token or the operator token', async () => {
    assert.equal((await scrape(t, '127.0.0.1')).status, 401);
    assert.equal((await scrape(t, '127.0.0.1', `${metricsToken}x`)).status, 401);
    assert.equal((await scrape(t, '127.0.0.1', metricsToken)).status, 200);
    assert.equal((await scrape(t, '10.1.2.3', metricsToken)).status, 200);
    assert.equal((await scrape(t, '10.1.2.3', adminToken)).status, 200);
  });

  test('the metrics token opens nothing else', async () => {
    await client(t).expectError(
      { url: '/api/v1/app', token: metricsToken },
      401,
      'authentication_failed',
    );
  });
});
