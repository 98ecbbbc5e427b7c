// One scenario for both Svix SDK generations, driving a running Herald over HTTP through
// every operation of the compatibility table that the SDKs expose. The API-only role runs
// no dispatcher, so deliveries stay pending and the attempt lists stay empty.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Webhook } from 'standardwebhooks';
import { type InProcessHerald, startInProcessHerald } from '../helpers/herald-process.ts';
import { type ReceivedRequest, startReceiver } from '../helpers/receiver.ts';

// biome-ignore lint/suspicious/noExplicitAny: the two SDK generations have different types; the scenario uses what both share.
type AnySvix = any;
// biome-ignore lint/suspicious/noExplicitAny: the SDK's models differ between generations.
type Out = any;

export type Generation = {
  name: string;
  Svix: new (token: string, options: { serverUrl: string }) => AnySvix;
  /** The generation's own error class: every HTTP error must surface as one. */
  ApiException: abstract new (
    ...args: never[]
  ) => Error;
  /** 1.x names the filter `filterTypes`, 2.x `eventTypes`. */
  filterField: 'filterTypes' | 'eventTypes';
  /** 1.x names the rate `rateLimit`, 2.x `throttleRate`. */
  rateField: 'rateLimit' | 'throttleRate';
  /** PUT: 1.x `update`, 2.x `upsert`. */
  put: 'update' | 'upsert';
  /** PUT of headers: 1.x `updateHeaders`, 2.x `setHeaders`. */
  putHeaders: 'updateHeaders' | 'setHeaders';
  /** 1.x asks for the content back by default; 2.x sends `with_content=false`. */
  withContentByDefault: boolean;
  /** The SDK's helper for a raw payload (`transformationsParams.rawPayload`). */
  messageInRaw: (eventType: string, payload: string, contentType?: string) => unknown;
};

type ErrorBody = { code?: string; detail?: unknown };

async function rejects(gen: Generation, promise: Promise<unknown>, status: number) {
  let failure: unknown;
  try {
    await promise;
  } catch (error) {
    failure = error;
  }
  if (failure === undefined) {
    throw new assert.AssertionError({ message: `expected HTTP ${status}, but the call succeeded` });
  }
  assert.ok(failure instanceof gen.ApiException, `not an ApiException: ${String(failure)}`);
  const e = failure as unknown as { code: number; body: ErrorBody };
  assert.equal(e.code, status, `expected HTTP ${status}, got ${e.code}: ${JSON.stringify(e.body)}`);
  assert.ok(e.body && typeof e.body === 'object', 'the error carries a JSON body');
  assert.ok(e.body.detail, 'the error body has a detail');
  return e.body;
}

const notFound = async (gen: Generation, promise: Promise<unknown>) =>
  assert.equal((await rejects(gen, promise, 404)).code, 'not_found');
const conflict = async (gen: Generation, promise: Promise<unknown>) =>
  assert.equal((await rejects(gen, promise, 409)).code, 'conflict');
async function invalid(gen: Generation, promise: Promise<unknown>, field: string) {
  const body = await rejects(gen, promise, 422);
  assert.ok(Array.isArray(body.detail), 'validation errors list their fields');
  const fields = (body.detail as { loc: (string | number)[] }[]).map((d) => d.loc[1]);
  assert.ok(fields.includes(field), `expected an error on ${field}: ${JSON.stringify(body)}`);
}

/** Follows `iterator` from page to page and returns every item. */
async function walk(list: (iterator: string | null) => Promise<Out>): Promise<Out[]> {
  const items: Out[] = [];
  let iterator: string | null = null;
  for (let pages = 0; pages < 100; pages++) {
    const page: Out = await list(iterator);
    items.push(...page.data);
    if (page.done) return items;
    assert.ok(page.iterator, 'a page that is not the last has an iterator');
    iterator = page.iterator;
  }
  throw new Error('pagination never ended');
}

export function sdkScenario(gen: Generation): void {
  const tag = gen.name.replace(/\W/g, '');
  let herald: InProcessHerald;
  let svix: AnySvix;
  const withHerald = (
    name: string,
    fn: () => Promise<void>,
    overrides: Parameters<typeof startInProcessHerald>[0] = { role: 'api' },
  ) =>
    test(`svix ${gen.name}: ${name}`, async () => {
      herald = await startInProcessHerald(overrides);
      svix = new gen.Svix(herald.token, { serverUrl: herald.url });
      try {
        await fn();
      } finally {
        await herald.close();
      }
    });

  withHerald('health and applications', async () => {
    assert.equal(await svix.health.get(), undefined);

    const app: Out = await svix.application.create({
      name: 'Acme',
      uid: `acme-${tag}`,
      metadata: { plan: 'pro' },
    });
    assert.match(app.id, /^app_/);
    assert.deepEqual([app.name, app.uid, app.metadata], ['Acme', `acme-${tag}`, { plan: 'pro' }]);
    assert.ok(app.createdAt instanceof Date && app.updatedAt instanceof Date);
    assert.ok(Math.abs(app.createdAt.getTime() - Date.now()) < 60_000);

    const same: Out = await svix.application.getOrCreate({ name: 'ignored', uid: `acme-${tag}` });
    assert.deepEqual([same.id, same.name], [app.id, 'Acme']);
    const fresh: Out = await svix.application.getOrCreate({ name: 'Fresh', uid: `fresh-${tag}` });
    assert.notEqual(fresh.id, app.id);
    assert.equal((await svix.application.get(`acme-${tag}`)).id, app.id);
    assert.equal((await svix.application.get(app.id)).uid, `acme-${tag}`);

    const updated: Out = await svix.application[gen.put](app.id, {
      name: 'Acme Inc',
      [gen.rateField]: 50,
      metadata: { plan: 'pro' },
    });
    assert.deepEqual([updated.id, updated.name, updated[gen.rateField]], [app.id, 'Acme Inc', 50]);
    assert.ok(updated.updatedAt.getTime() >= app.updatedAt.getTime());
    const patched: Out = await svix.application.patch(`acme-${tag}`, { name: 'Acme Corp' });
    assert.deepEqual(
      [patched.name, patched.metadata, patched[gen.rateField]],
      ['Acme Corp', { plan: 'pro' }, 50],
    );

    // Pagination: one application per page, forwards to the end, then one page back.
    const more: Out[] = [];
    for (let i = 0; i < 3; i++) more.push(await svix.application.create({ name: `App ${i}` }));
    const all = await walk((iterator) => svix.application.list({ limit: 1, iterator }));
    assert.deepEqual(
      all.map((a) => a.id).sort(),
      [app.id, fresh.id, ...more.map((a) => a.id)].sort(),
    );
    assert.ok(all.every((a) => a.createdAt instanceof Date));
    const firstTwo: Out = await svix.application.list({ limit: 2, order: 'ascending' });
    assert.equal(firstTwo.data.length, 2);
    assert.equal(firstTwo.done, false);
    const next: Out = await svix.application.list({
      limit: 2,
      order: 'ascending',
      iterator: firstTwo.iterator,
    });
    const back: Out = await svix.application.list({
      limit: 2,
      order: 'ascending',
      iterator: next.prevIterator,
    });
    assert.deepEqual(
      back.data.map((a: Out) => a.id),
      firstTwo.data.map((a: Out) => a.id),
    );

    await conflict(gen, svix.application.create({ name: 'dup', uid: `acme-${tag}` }));
    await invalid(gen, svix.application.create({ name: 'x', uid: 'not valid!' }), 'uid');
    await notFound(gen, svix.application.get('app_missing'));
    await notFound(gen, svix.application.patch('app_missing', { name: 'x' }));

    await svix.application.delete(fresh.id);
    await notFound(gen, svix.application.get(fresh.id));
    await notFound(gen, svix.application.delete(fresh.id));
  });

  withHerald('event types: create, list, update, patch, archive and expunge', async () => {
    const name = `invoice.paid.${tag}`;
    const created: Out = await svix.eventType.create({
      name,
      description: 'Paid',
      schemas: { '1': { type: 'object', examples: [{ invoice: 1, amount: 10 }] } },
    });
    assert.deepEqual([created.name, created.archived, created.deprecated], [name, false, false]);
    assert.ok(created.createdAt instanceof Date);
    await conflict(gen, svix.eventType.create({ name, description: 'again' }));
    await invalid(gen, svix.eventType.create({ name: 'bad name!', description: 'x' }), 'name');
    assert.equal((await svix.eventType.get(name)).description, 'Paid');

    const put: Out = await svix.eventType[gen.put](name, {
      description: 'An invoice was paid',
      schemas: { '1': { examples: [{ invoice: 1 }] } },
    });
    assert.equal(put.description, 'An invoice was paid');
    const patched: Out = await svix.eventType.patch(name, { deprecated: true });
    assert.deepEqual(
      [patched.description, patched.deprecated, patched.schemas],
      ['An invoice was paid', true, { '1': { examples: [{ invoice: 1 }] } }],
    );

    for (let i = 0; i < 3; i++) {
      await svix.eventType.create({ name: `extra.${i}`, description: `extra ${i}` });
    }
    const listed = await walk((iterator) => svix.eventType.list({ limit: 2, iterator }));
    assert.deepEqual(listed.map((e) => e.name).sort(), ['extra.0', 'extra.1', 'extra.2', name]);

    // Delete archives; expunge removes.
    await svix.eventType.delete('extra.0');
    assert.equal((await svix.eventType.get('extra.0')).archived, true);
    const visible: Out = await svix.eventType.list({ limit: 50 });
    assert.ok(!visible.data.some((e: Out) => e.name === 'extra.0'));
    const withArchived: Out = await svix.eventType.list({ limit: 50, includeArchived: true });
    assert.ok(withArchived.data.some((e: Out) => e.name === 'extra.0'));
    await svix.eventType.delete('extra.1', { expunge: true });
    await notFound(gen, svix.eventType.get('extra.1'));
    await notFound(gen, svix.eventType.get('never.existed'));
  });

  withHerald('endpoints, secrets, headers, stats, examples and recovery', async () => {
    const app: Out = await svix.application.create({ name: 'Acme', uid: 'acme' });
    const eventType = 'invoice.paid';
    await svix.eventType.create({
      name: eventType,
      description: 'Paid',
      schemas: { '1': { type: 'object', examples: [{ invoice: 1, amount: 10 }] } },
    });

    const endpoint: Out = await svix.endpoint.create('acme', {
      url: 'https://acme.example.com/hooks',
      uid: 'main',
      description: 'primary',
      [gen.filterField]: [eventType],
      [gen.rateField]: 10,
      metadata: { team: 'billing' },
    });
    assert.match(endpoint.id, /^ep_/);
    assert.deepEqual(
      [endpoint.url, endpoint.uid, endpoint[gen.filterField], endpoint[gen.rateField]],
      ['https://acme.example.com/hooks', 'main', [eventType], 10],
    );
    assert.equal(endpoint.disabled, false);
    assert.ok(endpoint.createdAt instanceof Date);
    await conflict(
      gen,
      svix.endpoint.create(app.id, { url: 'https://acme.example.com/2', uid: 'main' }),
    );
    await invalid(gen, svix.endpoint.create(app.id, { url: 'not a url' }), 'url');
    assert.equal((await svix.endpoint.get(app.id, 'main')).id, endpoint.id);

    const second: Out = await svix.endpoint.create(app.id, { url: 'https://acme.example.com/all' });
    const listed = await walk((iterator) => svix.endpoint.list(app.id, { limit: 1, iterator }));
    assert.deepEqual(listed.map((e) => e.id).sort(), [endpoint.id, second.id].sort());

    const patched: Out = await svix.endpoint.patch(app.id, endpoint.id, { description: 'main' });
    assert.deepEqual(
      [patched.description, patched.url, patched[gen.filterField]],
      ['main', 'https://acme.example.com/hooks', [eventType]],
    );
    const put: Out = await svix.endpoint[gen.put](app.id, endpoint.id, {
      url: 'https://acme.example.com/v2',
      [gen.filterField]: [eventType],
    });
    assert.equal(put.url, 'https://acme.example.com/v2');
    assert.equal(
      (await svix.endpoint.patch(app.id, endpoint.id, { disabled: true })).disabled,
      true,
    );
    assert.equal(
      (await svix.endpoint.patch(app.id, endpoint.id, { disabled: false })).disabled,
      false,
    );

    // Secrets
    const secret: Out = await svix.endpoint.getSecret(app.id, endpoint.id);
    assert.match(secret.key, /^whsec_/);
    assert.equal(await svix.endpoint.rotateSecret(app.id, endpoint.id, {}), undefined);
    const rotated: Out = await svix.endpoint.getSecret(app.id, endpoint.id);
    assert.match(rotated.key, /^whsec_/);
    assert.notEqual(rotated.key, secret.key);
    const chosen = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
    await svix.endpoint.rotateSecret(app.id, endpoint.id, { key: chosen });
    assert.equal((await svix.endpoint.getSecret(app.id, endpoint.id)).key, chosen);

    // Headers: sensitive values are hidden on read.
    await svix.endpoint[gen.putHeaders](app.id, endpoint.id, {
      headers: { 'X-Tenant': 'acme', Authorization: 'Bearer s3cret' },
    });
    await svix.endpoint.patchHeaders(app.id, endpoint.id, { headers: { 'X-Extra': '1' } });
    const headers: Out = await svix.endpoint.getHeaders(app.id, endpoint.id);
    assert.deepEqual(headers.headers, { 'X-Tenant': 'acme', 'X-Extra': '1' });
    assert.deepEqual(headers.sensitive, ['Authorization']);

    // Examples, stats and recovery
    const example: Out = await svix.endpoint.sendExample(app.id, endpoint.id, { eventType });
    assert.match(example.id, /^msg_/);
    assert.equal(example.eventType, eventType);
    assert.ok(example.timestamp instanceof Date);
    const ping: Out = await svix.endpoint.sendExample(app.id, second.id, {
      eventType: 'svix.ping',
    });
    const pingDestinations: Out = await svix.messageAttempt.listAttemptedDestinations(
      app.id,
      ping.id,
    );
    assert.deepEqual(
      pingDestinations.data.map((d: Out) => d.id),
      [second.id],
      'an example goes to the one endpoint',
    );
    const stats: Out = await svix.endpoint.getStats(app.id, endpoint.id);
    assert.deepEqual([stats.pending, stats.success, stats.fail, stats.sending], [1, 0, 0, 0]);
    const recover: Out = await svix.endpoint.recover(app.id, endpoint.id, {
      since: new Date(Date.now() - 3_600_000),
    });
    assert.equal(recover.task, 'endpoint.recover');
    assert.match(recover.id, /^qtask_/);
    assert.ok(recover.updatedAt instanceof Date);
    assert.ok(['running', 'finished'].includes(recover.status));

    await notFound(gen, svix.endpoint.get(app.id, 'ep_missing'));
    await notFound(gen, svix.endpoint.getSecret(app.id, 'ep_missing'));
    await notFound(gen, svix.endpoint.sendExample(app.id, endpoint.id, { eventType: 'no.such' }));
    await svix.endpoint.delete(app.id, second.id);
    await notFound(gen, svix.endpoint.get(app.id, second.id));
    await notFound(gen, svix.endpoint.get('app_missing', endpoint.id));
  });

  withHerald('messages and their (pending) deliveries', async () => {
    const app: Out = await svix.application.create({ name: 'Acme' });
    // An endpoint may only filter on event types that exist.
    await invalid(
      gen,
      svix.endpoint.create(app.id, {
        url: 'https://acme.example.com/hooks',
        [gen.filterField]: ['invoice.paid'],
      }),
      gen.filterField,
    );
    await svix.eventType.create({ name: 'invoice.paid', description: 'Paid' });
    await svix.eventType.create({ name: 'user.created', description: 'New user' });
    const endpoint: Out = await svix.endpoint.create(app.id, {
      url: 'https://acme.example.com/hooks',
      [gen.filterField]: ['invoice.paid'],
    });
    const other: Out = await svix.endpoint.create(app.id, {
      url: 'https://acme.example.com/other',
      [gen.filterField]: ['user.created'],
    });

    const message: Out = await svix.message.create(app.id, {
      eventType: 'invoice.paid',
      eventId: `evt-${tag}`,
      payload: { invoice: 42 },
      channels: ['acme'],
    });
    assert.match(message.id, /^msg_/);
    assert.deepEqual([message.eventType, message.eventId], ['invoice.paid', `evt-${tag}`]);
    assert.ok(message.timestamp instanceof Date);
    assert.deepEqual(message.payload, gen.withContentByDefault ? { invoice: 42 } : {});
    const withContent: Out = await svix.message.create(
      app.id,
      { eventType: 'invoice.paid', payload: { invoice: 43 } },
      { withContent: true },
    );
    assert.deepEqual(withContent.payload, { invoice: 43 });
    await conflict(
      gen,
      svix.message.create(app.id, {
        eventType: 'invoice.paid',
        eventId: `evt-${tag}`,
        payload: {},
      }),
    );
    await invalid(
      gen,
      svix.message.create(app.id, { eventType: 'bad type!', payload: {} }),
      'eventType',
    );
    await notFound(gen, svix.message.create('app_missing', { eventType: 'x', payload: {} }));

    const got: Out = await svix.message.get(app.id, `evt-${tag}`, { withContent: true });
    assert.deepEqual([got.id, got.payload, got.channels], [message.id, { invoice: 42 }, ['acme']]);
    assert.ok(got.timestamp instanceof Date);
    await notFound(gen, svix.message.get(app.id, 'msg_missing'));

    // Newest first, page by page.
    for (let i = 0; i < 3; i++) {
      await svix.message.create(app.id, { eventType: 'user.created', payload: { i } });
    }
    const messages = await walk((iterator) => svix.message.list(app.id, { limit: 2, iterator }));
    assert.equal(messages.length, 5);
    assert.equal(messages.at(-1).id, message.id, 'the oldest message comes last');
    assert.ok(messages.every((m) => m.timestamp instanceof Date));
    const filtered: Out = await svix.message.list(app.id, { eventTypes: ['invoice.paid'] });
    assert.deepEqual(
      filtered.data.map((m: Out) => m.id).sort(),
      [message.id, withContent.id].sort(),
    );

    // Nothing is sent by an API-only node: the delivery waits, pending, and has no attempts.
    const destinations: Out = await svix.messageAttempt.listAttemptedDestinations(
      app.id,
      message.id,
    );
    assert.equal(destinations.done, true);
    assert.deepEqual(
      destinations.data.map((d: Out) => [d.id, d.status, d.url]),
      [[endpoint.id, 1, 'https://acme.example.com/hooks']],
    );
    assert.ok(destinations.data[0].nextAttempt instanceof Date);
    const attempted: Out = await svix.messageAttempt.listAttemptedMessages(app.id, endpoint.id);
    assert.deepEqual(
      attempted.data.map((m: Out) => [m.id, m.status]).sort(),
      [
        [message.id, 1],
        [withContent.id, 1],
      ].sort(),
    );
    assert.ok(attempted.data.every((m: Out) => m.nextAttempt instanceof Date));
    const otherAttempted: Out = await svix.messageAttempt.listAttemptedMessages(app.id, other.id);
    assert.equal(otherAttempted.data.length, 3, 'only the matching event types fan out');

    const byEndpoint: Out = await svix.messageAttempt.listByEndpoint(app.id, endpoint.id);
    assert.deepEqual([byEndpoint.data, byEndpoint.done], [[], true]);
    const byMsg: Out = await svix.messageAttempt.listByMsg(app.id, message.id);
    assert.deepEqual([byMsg.data, byMsg.done], [[], true]);
    await notFound(gen, svix.messageAttempt.get(app.id, message.id, 'atmpt_missing'));
    await notFound(gen, svix.messageAttempt.listByMsg(app.id, 'msg_missing'));

    // A manual resend queues the message again for that endpoint, even one it never matched.
    await svix.messageAttempt.resend(app.id, message.id, endpoint.id);
    await svix.messageAttempt.resend(app.id, message.id, other.id);
    const resent: Out = await svix.messageAttempt.listAttemptedDestinations(app.id, message.id);
    assert.deepEqual(
      resent.data.map((d: Out) => [d.id, d.status]).sort(),
      [
        [endpoint.id, 1],
        [other.id, 1],
      ].sort(),
    );
    await notFound(gen, svix.messageAttempt.resend(app.id, message.id, 'ep_missing'));

    await svix.message.expungeContent(app.id, message.id);
    assert.deepEqual(
      (await svix.message.get(app.id, message.id, { withContent: true })).payload,
      {},
    );
    await notFound(gen, svix.message.expungeContent(app.id, 'msg_missing'));
  });

  withHerald('portal access, logout and expire-all', async () => {
    const app: Out = await svix.application.create({ name: 'Acme' });
    const otherApp: Out = await svix.application.create({ name: 'Other' });
    const access: Out = await svix.authentication.appPortalAccess(app.id, {});
    assert.match(access.url, /portal/);
    assert.ok(access.token);
    const scoped: AnySvix = new gen.Svix(access.token, { serverUrl: herald.url });
    assert.equal((await scoped.application.get(app.id)).id, app.id);
    assert.deepEqual((await scoped.endpoint.list(app.id)).data, []);
    await rejects(gen, scoped.application.list(), 403);
    const elsewhere = await rejects(gen, scoped.application.get(otherApp.id), 403);
    assert.ok(elsewhere.code);
    await scoped.authentication.logout();
    assert.equal(
      (await rejects(gen, scoped.application.get(app.id), 401)).code,
      'authentication_failed',
    );
    // Logging out with the operator token ends nothing: it keeps working.
    await svix.authentication.logout();
    assert.equal((await svix.application.get(app.id)).id, app.id);

    const first: Out = await svix.authentication.appPortalAccess(app.id, {});
    const second: Out = await svix.authentication.appPortalAccess(app.id, {});
    const keep: Out = await svix.authentication.appPortalAccess(otherApp.id, {});
    await svix.authentication.expireAll(app.id, {});
    for (const t of [first.token, second.token]) {
      const client: AnySvix = new gen.Svix(t, { serverUrl: herald.url });
      await rejects(gen, client.application.get(app.id), 401);
    }
    const kept: AnySvix = new gen.Svix(keep.token, { serverUrl: herald.url });
    assert.equal((await kept.application.get(otherApp.id)).id, otherApp.id);
    await notFound(gen, svix.authentication.appPortalAccess('app_missing', {}));
    await rejects(
      gen,
      new gen.Svix('wrong_token_0123456789', { serverUrl: herald.url }).application.list(),
      401,
    );
  });

  // With a worker and a receiver on 127.0.0.1, an attempt exists: read and expunge it.
  test(`svix ${gen.name}: a delivered attempt can be read and its response expunged`, async () => {
    const receiver = await startReceiver(() => ({ status: 200, body: 'thanks' }));
    const running = await startInProcessHerald({ allowedSubnets: ['127.0.0.0/8'] });
    try {
      const client: AnySvix = new gen.Svix(running.token, { serverUrl: running.url });
      const app: Out = await client.application.create({ name: 'Acme' });
      const endpoint: Out = await client.endpoint.create(app.id, { url: receiver.url });
      const message: Out = await client.message.create(app.id, {
        eventType: 'order.created',
        payload: { order: 1 },
      });
      let attempts: Out = { data: [] };
      for (let i = 0; i < 200 && attempts.data.length === 0; i++) {
        attempts = await client.messageAttempt.listByMsg(app.id, message.id);
        if (attempts.data.length === 0) await sleep(25);
      }
      assert.equal(attempts.data.length, 1, 'the message was delivered once');
      assert.equal(receiver.requests.length, 1);
      const attempt: Out = attempts.data[0];
      assert.match(attempt.id, /^atmpt_/);
      assert.deepEqual(
        [attempt.msgId, attempt.endpointId, attempt.status, attempt.responseStatusCode],
        [message.id, endpoint.id, 0, 200],
      );
      assert.ok(attempt.timestamp instanceof Date);
      const byEndpoint: Out = await client.messageAttempt.listByEndpoint(app.id, endpoint.id);
      assert.deepEqual(
        byEndpoint.data.map((a: Out) => a.id),
        [attempt.id],
      );
      const got: Out = await client.messageAttempt.get(app.id, message.id, attempt.id);
      assert.deepEqual([got.id, got.response], [attempt.id, 'thanks']);
      await client.messageAttempt.expungeContent(app.id, message.id, attempt.id);
      const expunged: Out = await client.messageAttempt.get(app.id, message.id, attempt.id);
      assert.notEqual(expunged.response, 'thanks');
      const destinations: Out = await client.messageAttempt.listAttemptedDestinations(
        app.id,
        message.id,
      );
      assert.deepEqual(
        destinations.data.map((d: Out) => [d.id, d.status]),
        [[endpoint.id, 0]],
      );
    } finally {
      await running.close();
      await receiver.close();
    }
  });

  // messageInRaw and inline applications, end to end: the receiver gets the exact bytes, the
  // content type and a signature over those bytes.
  test(`svix ${gen.name}: raw payloads and inline applications`, async () => {
    const receiver = await startReceiver(() => ({ status: 200, body: 'ok' }));
    const running = await startInProcessHerald({ allowedSubnets: ['127.0.0.0/8'] });
    try {
      const client: AnySvix = new gen.Svix(running.token, { serverUrl: running.url });
      const uid = `inline-${tag}`;
      const portal: Out = await client.authentication.appPortalAccess(`${uid}-portal`, {
        application: { name: 'Made by portal access' },
      });
      assert.ok(portal.token);
      assert.equal((await client.application.get(`${uid}-portal`)).name, 'Made by portal access');

      const first: Out = await client.message.create(uid, {
        eventType: 'order.created',
        payload: { order: 1 },
        application: { name: 'Made by publishing', uid },
      });
      assert.match(first.id, /^msg_/);
      const app: Out = await client.application.get(uid);
      assert.equal(app.name, 'Made by publishing');

      await client.endpoint.create(uid, { url: receiver.url });
      const endpoints: Out = await client.endpoint.list(uid);
      const { key } = await client.endpoint.getSecret(uid, endpoints.data[0].id);
      const sent = [
        { body: '<order id="2">ünï ✓</order>', contentType: 'application/xml' },
        { body: '{ "order" :  3,\n  "note": "kept \\u00e9" }', contentType: undefined },
      ];
      const ids: string[] = [];
      for (const { body, contentType } of sent) {
        const msg: Out = await client.message.create(
          uid,
          gen.messageInRaw('order.created', body, contentType),
        );
        ids.push(msg.id);
      }
      const deadline = Date.now() + 20_000;
      const arrived = (id: string): ReceivedRequest | undefined =>
        receiver.requests.find((r) => r.headers['webhook-id'] === id);
      while (!ids.every(arrived) && Date.now() < deadline) await sleep(25);
      for (const [i, { body, contentType }] of sent.entries()) {
        const request = arrived(ids[i] as string);
        assert.ok(request, `raw message ${i} arrived`);
        assert.equal(request.body, body);
        assert.equal(request.headers['content-type'], contentType ?? 'application/json');
        const headers = request.headers as Record<string, string>;
        const hook = new Webhook(key.slice('whsec_'.length));
        const expected = hook.sign(
          headers['webhook-id'] ?? '',
          new Date(Number(headers['webhook-timestamp']) * 1000),
          body,
        );
        assert.ok((headers['webhook-signature'] ?? '').split(' ').includes(expected));
        // standardwebhooks' verify parses the body as JSON after checking the signature.
        if (contentType === undefined)
          assert.deepEqual(hook.verify(body, headers), JSON.parse(body));
      }
    } finally {
      await running.close();
      await receiver.close();
    }
  });
}
