// /api/v1/event-type: create, PUT upsert, PATCH, archive vs expunge, include_archived,
// with_content and pagination.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { client } from '../helpers/client.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
let c: ReturnType<typeof client>;

before(async () => {
  t = await createTestApp();
  c = client(t);
});

after(async () => {
  await t.close();
});

const names = (page: { data: { name: string }[] }) => page.data.map((e) => e.name);

const schemas = {
  '1': {
    type: 'object',
    properties: { amount: { type: 'integer' } },
    examples: [{ amount: 42 }],
  },
};

describe('event types', () => {
  test('create answers 201 and the event type reads back', async () => {
    const created = await c.createEventType('invoice.paid', {
      description: 'An invoice was paid',
      schemas,
      groupName: 'billing',
    });
    assert.deepEqual(
      [created.name, created.description, created.archived, created.deprecated],
      ['invoice.paid', 'An invoice was paid', false, false],
    );
    assert.deepEqual(created.schemas, schemas);
    assert.equal(created.groupName, 'billing');
    assert.deepEqual(await c.ok({ url: '/api/v1/event-type/invoice.paid' }), created);
  });

  test('PUT creates (201) then updates (200); PATCH keeps unchanged fields', async () => {
    const put = await c.call({
      method: 'PUT',
      url: '/api/v1/event-type/user.created',
      body: { description: 'first', schemas },
    });
    assert.equal(put.status, 201);
    assert.equal(put.body.name, 'user.created');
    const again = await c.call({
      method: 'PUT',
      url: '/api/v1/event-type/user.created',
      body: { description: 'second' },
    });
    assert.equal(again.status, 200);
    assert.equal(again.body.description, 'second');
    assert.equal(again.body.createdAt, put.body.createdAt);
    const patched = await c.ok({
      method: 'PATCH',
      url: '/api/v1/event-type/user.created',
      body: { deprecated: true },
    });
    assert.equal(patched.deprecated, true);
    assert.equal(patched.description, 'second');
    assert.deepEqual(patched.schemas, schemas);
    const described = await c.ok({
      method: 'PATCH',
      url: '/api/v1/event-type/user.created',
      body: { description: 'third' },
    });
    assert.deepEqual([described.description, described.deprecated], ['third', true]);
    assert.deepEqual(await c.ok({ url: '/api/v1/event-type/user.created' }), described);
  });

  test('DELETE archives: hidden from the list unless include_archived, still readable', async () => {
    await c.createEventType('arch.keep');
    await c.createEventType('arch.gone');
    assert.equal(
      (await c.call({ method: 'DELETE', url: '/api/v1/event-type/arch.gone' })).status,
      204,
    );
    const read = await c.ok({ url: '/api/v1/event-type/arch.gone' });
    assert.equal(read.archived, true);
    const listed = names(await c.ok({ url: '/api/v1/event-type?limit=250' }));
    assert.ok(listed.includes('arch.keep'));
    assert.ok(!listed.includes('arch.gone'), 'an archived type is not listed by default');
    const withArchived = names(
      await c.ok({ url: '/api/v1/event-type?limit=250&include_archived=true' }),
    );
    assert.ok(withArchived.includes('arch.gone'));
    // Unarchiving by PATCH brings it back.
    await c.ok({ method: 'PATCH', url: '/api/v1/event-type/arch.gone', body: { archived: false } });
    assert.ok(names(await c.ok({ url: '/api/v1/event-type?limit=250' })).includes('arch.gone'));
  });

  test('DELETE with expunge=true removes the event type for good', async () => {
    await c.createEventType('exp.gone');
    assert.equal(
      (await c.call({ method: 'DELETE', url: '/api/v1/event-type/exp.gone?expunge=true' })).status,
      204,
    );
    await c.expectError({ url: '/api/v1/event-type/exp.gone' }, 404, 'not_found');
    assert.ok(
      !names(await c.ok({ url: '/api/v1/event-type?limit=250&include_archived=true' })).includes(
        'exp.gone',
      ),
    );
    // The name is free again.
    await c.createEventType('exp.gone');
  });

  test('with_content=false leaves the schemas out of the list', async () => {
    await c.createEventType('content.type', { schemas });
    const find = (page: { data: { name: string; schemas: unknown }[] }) =>
      page.data.find((e) => e.name === 'content.type');
    assert.deepEqual(find(await c.ok({ url: '/api/v1/event-type?limit=250' }))?.schemas, schemas);
    const bare = find(await c.ok({ url: '/api/v1/event-type?limit=250&with_content=false' }));
    assert.ok(bare);
    assert.equal(bare.schemas, null);
  });
});

describe('event type pagination', () => {
  test('iterators walk forwards and backwards by name, with done and order', async () => {
    const local = await createTestApp();
    try {
      const l = client(local);
      const all = ['a.1', 'a.2', 'a.3', 'a.4', 'a.5'];
      for (const name of [...all].reverse()) await l.createEventType(name);
      const p1 = await l.ok({ url: '/api/v1/event-type?limit=2' });
      assert.deepEqual(names(p1), ['a.1', 'a.2']);
      assert.equal(p1.done, false);
      const p2 = await l.ok({ url: `/api/v1/event-type?limit=2&iterator=${p1.iterator}` });
      assert.deepEqual(names(p2), ['a.3', 'a.4']);
      assert.equal(p2.done, false);
      const p3 = await l.ok({ url: `/api/v1/event-type?limit=2&iterator=${p2.iterator}` });
      assert.deepEqual(names(p3), ['a.5']);
      assert.equal(p3.done, true);
      const back = await l.ok({
        url: `/api/v1/event-type?limit=2&iterator=${encodeURIComponent(p3.prevIterator)}`,
      });
      assert.deepEqual(names(back), ['a.3', 'a.4']);
      const desc = await l.ok({ url: '/api/v1/event-type?limit=3&order=descending' });
      assert.deepEqual(names(desc), ['a.5', 'a.4', 'a.3']);
      assert.equal(desc.done, false);
    } finally {
      await local.close();
    }
  });
});
