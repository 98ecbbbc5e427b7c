// What the API fuzzer (api-fuzz.test.ts) found, each kept as a plain example on both stores.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { client } from '../api/client.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

for (const database of ['sqlite', 'postgres'] as const) {
  describe(`found by fuzzing (${database})`, () => {
    let t: TestApp;
    let c: ReturnType<typeof client>;

    before(async () => {
      t = await createTestApp({ database });
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
