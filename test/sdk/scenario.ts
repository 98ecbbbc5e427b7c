// One scenario for both Svix SDK generations, driving a running Herald over HTTP through
// every operation of the compatibility table that the SDKs expose.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { type RunningHerald, serve } from '../../src/cli/serve.ts';
import { loadConfig } from '../../src/config/config.ts';

const token = 'sdk_test_admin_token_0123456789';

// biome-ignore lint/suspicious/noExplicitAny: the two SDK generations have different types; the scenario uses what both share.
type AnySvix = any;

export type Generation = {
  name: string;
  Svix: new (token: string, options: { serverUrl: string }) => AnySvix;
  /** 1.x names the filter `filterTypes`, 2.x `eventTypes`. */
  filterField: 'filterTypes' | 'eventTypes';
  /** 1.x names the rate `rateLimit`, 2.x `throttleRate`. */
  rateField: 'rateLimit' | 'throttleRate';
  /** PUT: 1.x `update`, 2.x `upsert`. */
  put: 'update' | 'upsert';
  /** PUT of headers: 1.x `updateHeaders`, 2.x `setHeaders`. */
  putHeaders: 'updateHeaders' | 'setHeaders';
};

export async function startHeraldForSdk(): Promise<{
  herald: RunningHerald;
  stop(): Promise<void>;
}> {
  const dir = mkdtempSync(join(tmpdir(), 'herald-sdk-'));
  const herald = await serve(
    loadConfig({
      env: {},
      overrides: {
        port: 0,
        dataDir: dir,
        databaseUrl: `sqlite:${join(dir, 'herald.db')}`,
        adminToken: token,
        logLevel: 'silent',
      },
    }),
    () => {},
  );
  return {
    herald,
    stop: async () => {
      await herald.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function rejects(
  promise: Promise<unknown>,
  status: number,
): Promise<Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    const e = error as { code?: number; body?: unknown };
    assert.equal(
      e.code,
      status,
      `expected HTTP ${status}, got ${String(e.code)}: ${JSON.stringify(e.body)}`,
    );
    assert.ok(e.body, 'the error carries a body');
    return e.body as Record<string, unknown>;
  }
  throw new assert.AssertionError({ message: `expected HTTP ${status}, but the call succeeded` });
}

export function sdkScenario(gen: Generation): void {
  test(`svix ${gen.name}: every management operation against a running Herald`, async () => {
    const { herald, stop } = await startHeraldForSdk();
    const svix: AnySvix = new gen.Svix(token, { serverUrl: herald.url });
    const tag = gen.name.replace(/\W/g, '');
    try {
      // Health
      await svix.health.get();

      // Applications
      const app = await svix.application.create({
        name: 'Acme',
        uid: `acme-${tag}`,
        metadata: { plan: 'pro' },
      });
      assert.match(app.id, /^app_/);
      assert.ok(app.createdAt instanceof Date);
      const same = await svix.application.getOrCreate({ name: 'ignored', uid: `acme-${tag}` });
      assert.equal(same.id, app.id);
      assert.equal((await svix.application.get(`acme-${tag}`)).id, app.id);
      const updated = await svix.application[gen.put](app.id, {
        name: 'Acme Inc',
        [gen.rateField]: 50,
        metadata: { plan: 'pro' },
      });
      assert.equal(updated.name, 'Acme Inc');
      assert.equal(updated[gen.rateField], 50);
      const patched = await svix.application.patch(app.id, { name: 'Acme Corp' });
      assert.deepEqual([patched.name, patched.metadata], ['Acme Corp', { plan: 'pro' }]);
      const other = await svix.application.create({ name: 'Other' });
      const apps = await svix.application.list({ limit: 1 });
      assert.equal(apps.data.length, 1);
      assert.equal(apps.done, false);
      const rest = await svix.application.list({ limit: 10, iterator: apps.iterator });
      assert.ok(rest.data.some((a: { id: string }) => a.id === other.id));
      await svix.application.delete(other.id);
      await rejects(svix.application.get(other.id), 404);
      await rejects(svix.application.create({ name: 'dup', uid: `acme-${tag}` }), 409);
      const invalid = await rejects(svix.application.create({ name: 'x', uid: 'not valid!' }), 422);
      assert.ok(Array.isArray(invalid.detail));

      // Event types
      const eventType = `invoice.paid${tag}`;
      await svix.eventType.create({
        name: eventType,
        description: 'Paid',
        schemas: { '1': { type: 'object', examples: [{ invoice: 1, amount: 10 }] } },
      });
      assert.equal((await svix.eventType.get(eventType)).description, 'Paid');
      await svix.eventType[gen.put](eventType, {
        description: 'An invoice was paid',
        schemas: { '1': { examples: [{ invoice: 1 }] } },
      });
      await svix.eventType.patch(eventType, { deprecated: true });
      const fetched = await svix.eventType.get(eventType);
      assert.deepEqual([fetched.description, fetched.deprecated], ['An invoice was paid', true]);
      await svix.eventType.create({ name: `gone${tag}`, description: 'to archive' });
      await svix.eventType.delete(`gone${tag}`);
      assert.equal((await svix.eventType.get(`gone${tag}`)).archived, true);
      const visible = await svix.eventType.list({ limit: 50 });
      assert.ok(!visible.data.some((e: { name: string }) => e.name === `gone${tag}`));
      const all = await svix.eventType.list({ limit: 50, includeArchived: true });
      assert.ok(all.data.some((e: { name: string }) => e.name === `gone${tag}`));

      // Endpoints
      const endpoint = await svix.endpoint.create(app.id, {
        url: 'https://acme.example.com/hooks',
        uid: `ep-${tag}`,
        [gen.filterField]: [eventType],
        [gen.rateField]: 10,
      });
      assert.match(endpoint.id, /^ep_/);
      assert.deepEqual(endpoint[gen.filterField], [eventType]);
      assert.equal((await svix.endpoint.get(app.id, `ep-${tag}`)).id, endpoint.id);
      const epPatched = await svix.endpoint.patch(app.id, endpoint.id, { description: 'main' });
      assert.deepEqual(
        [epPatched.description, epPatched.url],
        ['main', 'https://acme.example.com/hooks'],
      );
      await svix.endpoint[gen.put](app.id, endpoint.id, {
        url: 'https://acme.example.com/v2',
        [gen.filterField]: [eventType],
      });
      const endpoints = await svix.endpoint.list(app.id);
      assert.deepEqual(
        endpoints.data.map((e: { url: string }) => e.url),
        ['https://acme.example.com/v2'],
      );
      const secret = await svix.endpoint.getSecret(app.id, endpoint.id);
      assert.match(secret.key, /^whsec_/);
      await svix.endpoint.rotateSecret(app.id, endpoint.id, {});
      assert.notEqual((await svix.endpoint.getSecret(app.id, endpoint.id)).key, secret.key);
      await svix.endpoint[gen.putHeaders](app.id, endpoint.id, {
        headers: { 'X-Tenant': 'acme', Authorization: 'Bearer s3cret' },
      });
      await svix.endpoint.patchHeaders(app.id, endpoint.id, { headers: { 'X-Extra': '1' } });
      const headers = await svix.endpoint.getHeaders(app.id, endpoint.id);
      assert.deepEqual(headers.headers, { 'X-Tenant': 'acme', 'X-Extra': '1' });
      assert.deepEqual(headers.sensitive, ['Authorization']);
      await rejects(svix.endpoint.get(app.id, 'ep_missing'), 404);

      // Messages and deliveries
      const message = await svix.message.create(app.id, {
        eventType,
        eventId: `evt-${tag}`,
        payload: { invoice: 42 },
      });
      assert.match(message.id, /^msg_/);
      assert.ok(message.timestamp instanceof Date);
      await rejects(
        svix.message.create(app.id, { eventType, eventId: `evt-${tag}`, payload: {} }),
        409,
      );
      const got = await svix.message.get(app.id, `evt-${tag}`, { withContent: true });
      assert.deepEqual([got.id, got.payload], [message.id, { invoice: 42 }]);
      const messages = await svix.message.list(app.id, { limit: 10 });
      assert.equal(messages.data[0].id, message.id);
      const destinations = await svix.messageAttempt.listAttemptedDestinations(app.id, message.id);
      assert.equal(destinations.data.length, 1);
      assert.equal(destinations.data[0].id, endpoint.id);
      assert.equal(destinations.data[0].status, 1);
      assert.ok(destinations.data[0].nextAttempt instanceof Date);
      const attempted = await svix.messageAttempt.listAttemptedMessages(app.id, endpoint.id);
      assert.deepEqual(
        attempted.data.map((m: { id: string }) => m.id),
        [message.id],
      );
      // Private destinations are refused by default, so the attempt lists stay readable either way.
      const byEndpoint = await svix.messageAttempt.listByEndpoint(app.id, endpoint.id);
      assert.ok(Array.isArray(byEndpoint.data));
      const byMsg = await svix.messageAttempt.listByMsg(app.id, message.id);
      assert.ok(Array.isArray(byMsg.data));
      await svix.messageAttempt.resend(app.id, message.id, endpoint.id);
      const stats = await svix.endpoint.getStats(app.id, endpoint.id);
      assert.equal(typeof stats.pending, 'number');
      const example = await svix.endpoint.sendExample(app.id, endpoint.id, { eventType });
      assert.match(example.id, /^msg_/);
      const recover = await svix.endpoint.recover(app.id, endpoint.id, {
        since: new Date(Date.now() - 3_600_000),
      });
      assert.equal(recover.task, 'endpoint.recover');
      await svix.message.expungeContent(app.id, message.id);
      assert.deepEqual(
        (await svix.message.get(app.id, message.id, { withContent: true })).payload,
        {},
      );

      // Portal access and logout
      const access = await svix.authentication.appPortalAccess(app.id, {});
      assert.match(access.url, /portal/);
      const scoped: AnySvix = new gen.Svix(access.token, { serverUrl: herald.url });
      assert.equal((await scoped.application.get(app.id)).id, app.id);
      await rejects(scoped.application.list(), 403);
      await scoped.authentication.logout();
      await rejects(scoped.application.get(app.id), 401);

      // Cleanup through the API
      await svix.endpoint.delete(app.id, endpoint.id);
      await rejects(svix.endpoint.get(app.id, endpoint.id), 404);
      await svix.eventType.delete(eventType, { expunge: true });
      await rejects(svix.eventType.get(eventType), 404);
      await svix.application.delete(app.id);
    } finally {
      await stop();
    }
  });
}
