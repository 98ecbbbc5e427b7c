// What the API fuzzer (api-fuzz.test.ts) found, each kept as a plain example on both stores.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { client } from '../helpers/client.ts';
import { setPolicy } from '../helpers/fixtures.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

for (const database of ['sqlite', 'postgres'] as const) {
  describe(`found by fuzzing (${database})`, () => {
    let t: TestApp;
    let c: ReturnType<typeof client>;

    before(async () => {
      // No private range allowed: attempts to 127.0.0.1:9 fail at once, and are recorded.
      t = await createTestApp({ database, allowedSubnets: [] });
      c = client(t);
    });

    after(() => t.close());

    test('an exponential retry rule capped below its first wait is a 422, not a 500', async () => {
      const retry = { retries: 3, initialSeconds: 60, factor: 2, maxSeconds: 10 };
      const loc = ['body', 'policy', 'retry', 'maxSeconds'];
      // Stored on an application, it made every later endpoint change there a 500.
      await c.expectValidation(
        { method: 'POST', url: '/api/v1/app', body: { name: 'r', policy: { retry } } },
        loc,
      );
      const app = await c.ok({
        method: 'POST',
        url: '/api/v1/app',
        body: { name: 'r', uid: 'retry' },
      });
      await c.expectValidation(
        { method: 'PATCH', url: '/api/v1/app/retry', body: { policy: { retry } } },
        loc,
      );
      const endpoint = { url: 'https://hooks.example/in', policy: { retry } };
      await c.expectValidation(
        { method: 'POST', url: '/api/v1/app/retry/endpoint', body: endpoint },
        loc,
      );
      const ep = await c.ok({
        method: 'POST',
        url: '/api/v1/app/retry/endpoint',
        body: { url: 'https://hooks.example/in' },
      });
      await c.expectValidation(
        {
          method: 'PATCH',
          url: `/api/v1/app/retry/endpoint/${ep.id}`,
          body: { policy: { retry } },
        },
        loc,
      );
      await c.expectValidation(
        { method: 'POST', url: '/api/v1/operational-webhook/endpoint', body: endpoint },
        loc,
      );
      // Nothing was stored: the application and endpoint keep no policy.
      assert.equal((await c.ok({ url: `/api/v1/app/${app.id}` })).policy, null);
      assert.equal((await c.ok({ url: `/api/v1/app/retry/endpoint/${ep.id}` })).policy, null);
      // A cap equal to the first wait is a valid rule.
      const equal = { ...retry, maxSeconds: 60 };
      const patched = await c.ok({
        method: 'PATCH',
        url: `/api/v1/app/retry/endpoint/${ep.id}`,
        body: { policy: { retry: equal } },
      });
      assert.deepEqual(patched.policy.retry, equal);
    });

    test("the simple webhooks API's refusal of an unknown event type points at events", async () => {
      const webhook = { url: 'https://hooks.example/simple', events: ['no.such.type'] };
      // It pointed at body.filterTypes, a field this API does not have.
      await c.expectValidation({ method: 'POST', url: '/v1/webhooks', body: webhook }, [
        'body',
        'events',
        0,
      ]);
      await c.createEventType('known.type');
      const created = await c.ok({
        method: 'POST',
        url: '/v1/webhooks',
        body: { ...webhook, events: ['known.type'] },
      });
      await c.expectValidation(
        {
          method: 'PATCH',
          url: `/v1/webhooks/${created.id}`,
          body: { events: ['known.type', 'no.such.type'] },
        },
        ['body', 'events', 1],
      );
      assert.deepEqual((await c.ok({ url: `/v1/webhooks/${created.id}` })).events, ['known.type']);
    });

    test('an endpoint version past a 32-bit integer is a 422, and the endpoint stays readable', async () => {
      const app = await c.ok({ method: 'POST', url: '/api/v1/app', body: { name: 'versions' } });
      const url = `/api/v1/app/${app.id}/endpoint`;
      const ep = await c.ok({ method: 'POST', url, body: { url: 'https://hooks.example/v' } });
      // 2^53 was stored on SQLite and then every read of the application's endpoints was a 500.
      for (const version of [2 ** 31, 2 ** 53, 1e300]) {
        await c.expectValidation({ method: 'PATCH', url: `${url}/${ep.id}`, body: { version } }, [
          'body',
          'version',
        ]);
        await c.expectValidation(
          { method: 'POST', url, body: { url: 'https://hooks.example/w', version } },
          ['body', 'version'],
        );
      }
      const largest = await c.ok({
        method: 'PATCH',
        url: `${url}/${ep.id}`,
        body: { version: 2 ** 31 - 1 },
      });
      assert.equal(largest.version, 2 ** 31 - 1);
      assert.deepEqual(
        (await c.ok({ url })).data.map((e: { version: number }) => e.version),
        [2 ** 31 - 1],
      );
    });

    test('a header value HTTP cannot carry is a 422, and one stored before is refused at once', async () => {
      const app = await c.ok({ method: 'POST', url: '/api/v1/app', body: { name: 'headers' } });
      const url = `/api/v1/app/${app.id}/endpoint`;
      const hook = 'https://hooks.example/h';
      for (const [body, loc] of [
        [{ url: hook, policy: { userAgent: '\uffff' } }, ['body', 'policy', 'userAgent']],
        [
          { url: hook, policy: { headers: { 'x-a': 'a\r\nb' } } },
          ['body', 'policy', 'headers', 'x-a'],
        ],
        [{ url: hook, headers: { 'x-a': 'caf\u20ac' } }, ['body', 'headers', 'x-a']],
      ] as const) {
        await c.expectValidation({ method: 'POST', url, body }, [...loc]);
      }
      const ep = await c.ok({ method: 'POST', url, body: { url: hook } });
      await c.expectValidation(
        { method: 'PUT', url: `${url}/${ep.id}/headers`, body: { headers: { 'x-a': '\u0000' } } },
        ['body', 'headers', 'x-a'],
      );
      // As an earlier version stored it: every attempt of that endpoint hung until its
      // timeout, and with more attempts than connections the dispatcher never finished.
      await setPolicy(t, ep.id, { userAgent: 'Herald \u2192' });
      for (let i = 0; i < 40; i++) await c.publish(app.id, { eventType: 'headers.event' });
      const started = Date.now();
      await t.dispatcher.runDue();
      assert.ok(Date.now() - started < 5_000, 'the dispatcher is not held up');
      const attempts = (
        await c.ok({ url: `/api/v1/app/${app.id}/attempt/endpoint/${ep.id}?limit=250` })
      ).data;
      assert.equal(attempts.length, 40);
      for (const attempt of attempts)
        assert.match(attempt.response, /user-agent header cannot be sent/);
    });

    test('a throttle rate that does not divide a second (3 a second) delivers on both stores', async () => {
      const app = await c.ok({ method: 'POST', url: '/api/v1/app', body: { name: 'throttled' } });
      const ep = await c.ok({
        method: 'POST',
        url: `/api/v1/app/${app.id}/endpoint`,
        body: { url: 'http://127.0.0.1:9/hook', throttleRate: 3 },
      });
      for (let i = 0; i < 3; i++) await c.publish(app.id, { eventType: 'throttled.event' });
      // PostgreSQL refused the 333.3 ms slot as a BIGINT: nothing was ever sent.
      const attempts = async () =>
        (await c.ok({ url: `/api/v1/app/${app.id}/attempt/endpoint/${ep.id}` })).data.length;
      const seen: number[] = [];
      for (let step = 0; step < 4; step++) {
        await t.dispatcher.runDue();
        seen.push(await attempts());
        t.clock.advance(334);
      }
      assert.deepEqual(seen, [1, 2, 3, 3]);
    });

    test('the simple webhooks API works again after its application was deleted', async () => {
      await c.createEventType('simple.event');
      const webhook = { url: 'https://hooks.example/simple', events: ['simple.event'] };
      await c.ok({ method: 'POST', url: '/v1/webhooks', body: webhook });
      await c.ok({ method: 'DELETE', url: '/api/v1/app/default' }, 204);
      // It kept the deleted application and answered 500 until a restart.
      assert.deepEqual((await c.ok({ url: '/v1/webhooks' })).data, []);
      const created = await c.ok({ method: 'POST', url: '/v1/webhooks', body: webhook });
      assert.deepEqual(
        (await c.ok({ url: '/v1/webhooks' })).data.map((w: { id: string }) => w.id),
        [created.id],
      );
      await c.ok(
        { method: 'POST', url: '/v1/events', body: { type: 'simple.event', data: { object: {} } } },
        202,
      );
    });
  });
}
