// A full run's log: `herald serve` as a child process at the most verbose level, driven
// through tokens, secrets, credentials in URLs and secret headers, delivering to receivers
// on 127.0.0.1. Nothing secret may appear anywhere in what it printed; the request id of a
// publish must reach the log lines of the attempts it caused.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { heraldTestToken, startHeraldChild } from '../helpers/herald-process.ts';
import { startReceiver } from '../helpers/receiver.ts';

const metricsToken = 'metrics_secret_token_0123456789';
const endpointSecret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const urlPassword = 'url-pa55word-xyz';
const headerSecret = 'hdr-secret-value-98765';
const headerBearer = 'hdr-bearer-value-43210';

test('a full run logs no token, secret, URL credential or secret header value', {
  timeout: 90_000,
}, async () => {
  const ok = await startReceiver(() => ({ status: 200 }));
  const failing = await startReceiver(() => ({ status: 500, body: 'nope' }));
  const herald = await startHeraldChild({
    env: {
      HERALD_LOG_LEVEL: 'trace',
      HERALD_LOG_FORMAT: 'json',
      HERALD_ALLOWED_SUBNETS: '127.0.0.1/32',
      HERALD_METRICS_TOKEN: metricsToken,
      HERALD_RETRY_SCHEDULE: '3600',
    },
  });
  let appToken = '';
  try {
    const call = async (
      method: string,
      path: string,
      body?: unknown,
      options: { token?: string; headers?: Record<string, string> } = {},
    ) => {
      const response = await fetch(`${herald.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${options.token ?? heraldTestToken}`,
          'content-type': 'application/json',
          ...options.headers,
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      return {
        status: response.status,
        headers: response.headers,
        body: text ? JSON.parse(text) : null,
      };
    };

    const app = (await call('POST', '/api/v1/app', { name: 'log run' })).body;
    const withCredentials = ok.url.replace('http://', `http://hook-user:${urlPassword}@`);
    const endpoint = (
      await call('POST', `/api/v1/app/${app.id}/endpoint`, {
        url: withCredentials,
        secret: endpointSecret,
        headers: { 'X-Api-Key': headerSecret, 'X-Custom-Auth': `Bearer ${headerBearer}` },
      })
    ).body;
    assert.ok(endpoint.id, JSON.stringify(endpoint));
    await call('POST', `/api/v1/app/${app.id}/endpoint`, {
      url: failing.url.replace('http://', `http://fail-user:${urlPassword}@`),
    });
    assert.equal(
      (await call('GET', `/api/v1/app/${app.id}/endpoint/${endpoint.id}/secret`)).body.key,
      endpointSecret,
    );
    await call('GET', `/api/v1/app/${app.id}/endpoint/${endpoint.id}/headers`);

    const access = await call('POST', `/api/v1/auth/app-portal-access/${app.id}`, {});
    appToken = access.body.token;
    assert.match(appToken, /^hrld_/);
    assert.equal(
      (await call('GET', `/api/v1/app/${app.id}/msg`, undefined, { token: appToken })).status,
      200,
    );
    // Tokens in query strings, and refused tokens, are logged with the request's URL.
    await call('GET', `/api/v1/app?token=${appToken}&api_key=${headerSecret}`);
    assert.equal(
      (await call('GET', '/api/v1/app', undefined, { token: `${appToken}x` })).status,
      401,
    );
    assert.equal(
      (
        await fetch(`${herald.url}/metrics`, {
          headers: { authorization: `Bearer ${metricsToken}` },
        })
      ).status,
      200,
    );

    // Publishes under a request id of the caller's: it comes back, and names the attempts.
    const published = await call(
      'POST',
      `/api/v1/app/${app.id}/msg`,
      { eventType: 'log.run', payload: { password: 'payload-is-not-logged' } },
      { headers: { 'x-request-id': 'caller-req-42' } },
    );
    assert.equal(published.status, 202);
    assert.equal(published.headers.get('x-request-id'), 'caller-req-42');
    const generated = await call('POST', `/api/v1/app/${app.id}/msg`, {
      eventType: 'log.run',
      payload: {},
    });
    const generatedId = generated.headers.get('x-request-id') ?? '';
    assert.ok(generatedId.length >= 16, generatedId);

    const deadline = Date.now() + 20_000;
    while (
      ok.requests.length < 2 ||
      failing.requests.length < 2 ||
      !/attempt failed[\s\S]*attempt failed/.test(herald.output())
    ) {
      assert.ok(Date.now() < deadline, `deliveries did not finish:\n${herald.output()}`);
      await sleep(25);
    }
    assert.equal(ok.requests[0]?.headers['x-api-key'], headerSecret, 'the header is sent');
    assert.equal((await herald.kill('SIGTERM')).code, 0);

    const output = herald.output();
    const lines = output.split('\n').filter((l) => l.startsWith('{'));
    const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.ok(entries.length > 20, `too few log lines:\n${output}`);
    const attempts = entries.filter((e) => /^attempt (succeeded|failed)$/.test(String(e.msg)));
    assert.equal(attempts.length, 4, output);
    for (const reqId of ['caller-req-42', generatedId]) {
      const caused = attempts.filter((e) => e.reqId === reqId);
      assert.equal(caused.length, 2, `attempts of ${reqId}:\n${output}`);
      assert.deepEqual(caused.map((e) => e.msg).sort(), ['attempt failed', 'attempt succeeded']);
      assert.ok(entries.some((e) => e.reqId === reqId && e.msg === 'incoming request'));
    }

    for (const secret of [
      heraldTestToken,
      appToken,
      appToken.slice('hrld_app_'.length),
      metricsToken,
      endpointSecret,
      endpointSecret.slice('whsec_'.length),
      urlPassword,
      'hook-user:',
      headerSecret,
      headerBearer,
    ]) {
      assert.ok(!output.includes(secret), `the log holds ${secret}:\n${output}`);
    }
    // Nothing that merely looks like a credential either.
    assert.doesNotMatch(output, /(Bearer|Basic) (?!\[redacted\])[A-Za-z0-9]/);
    assert.doesNotMatch(output, /whs(ec|k)_(?!\[redacted\])/);
    assert.doesNotMatch(output, /:\/\/[^/\s"]*:[^/\s"]*@/);
  } finally {
    await herald.cleanup();
    await ok.close();
    await failing.close();
  }
});
