// `herald serve` as a real process: what it prints on first start, a clean exit on SIGTERM,
// and, after SIGKILL, every acknowledged message and its pending delivery still there.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { type HeraldChild, heraldTestToken, startHeraldChild } from '../helpers/herald-process.ts';
import { startReceiver } from '../helpers/receiver.ts';

type Json = Record<string, unknown>;

async function call(
  herald: HeraldChild,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Json }> {
  const response = await fetch(`${herald.url}/api/v1${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Json) : {} };
}

test('first start prints the address, the data directory and a working generated token; SIGTERM exits 0', {
  timeout: 60_000,
}, async () => {
  const herald = await startHeraldChild({ adminToken: null });
  try {
    const output = await herald.waitForOutput(/Operator token[^\n]*\n\s+\S+/);
    assert.match(output, new RegExp(`Herald listening on ${herald.url.replace(/\./g, '\\.')}`));
    assert.ok(output.includes(`Data directory: ${herald.dataDir}`), output);
    const printed = /Operator token \(shown once[^\n]*\n\s+(\S+)/.exec(output)?.[1];
    assert.ok(printed, `no generated token in:\n${output}`);
    assert.equal(readFileSync(join(herald.dataDir, 'admin-token'), 'utf8').trim(), printed);

    const created = await call(herald, printed, 'POST', '/app', { name: 'first start' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal((await call(herald, 'not_the_token_0123456789', 'GET', '/app')).status, 401);

    assert.deepEqual(await herald.kill('SIGTERM'), { code: 0, signal: null });
    assert.match(herald.output(), /Received SIGTERM, shutting down/);

    // A second start on the same data directory keeps the token and does not print it again.
    const again = await herald.restart();
    const secondOutput = await again.waitForOutput(/Operator token: generated on first start/);
    assert.ok(!secondOutput.includes(printed), 'the token is shown only once');
    assert.equal((await call(again, printed, 'GET', `/app/${created.body.id}`)).status, 200);
    assert.deepEqual(await again.kill('SIGTERM'), { code: 0, signal: null });
  } finally {
    await herald.cleanup();
  }
});

test('with HERALD_SEND_THREAD=true, requests go out from the sending thread and SIGTERM still exits 0', {
  timeout: 60_000,
}, async () => {
  const receiver = await startReceiver();
  const herald = await startHeraldChild({
    env: { HERALD_SEND_THREAD: 'true', HERALD_ALLOWED_SUBNETS: '127.0.0.0/8' },
  });
  try {
    const app = await call(herald, heraldTestToken, 'POST', '/app', { name: 'threaded' });
    await call(herald, heraldTestToken, 'POST', `/app/${app.body.id}/endpoint`, {
      url: receiver.url,
    });
    const sent = await call(herald, heraldTestToken, 'POST', `/app/${app.body.id}/msg`, {
      eventType: 'thread.test',
      payload: { hello: 'thread' },
    });
    assert.equal(sent.status, 202, JSON.stringify(sent.body));
    const deadline = Date.now() + 10_000;
    while (receiver.requests.length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.equal(receiver.requests[0]?.body, '{"hello":"thread"}');
    assert.equal(receiver.requests[0]?.headers['webhook-id'], sent.body.id);
    assert.deepEqual(await herald.kill('SIGTERM'), { code: 0, signal: null });
  } finally {
    await herald.cleanup();
    await receiver.close();
  }
});

test('after SIGKILL, every acknowledged message and its pending delivery is still there', {
  timeout: 60_000,
}, async () => {
  const token = heraldTestToken;
  // API only: no worker, so the deliveries stay pending and the test sees exactly what was stored.
  let herald = await startHeraldChild({ env: { HERALD_ROLE: 'api' } });
  try {
    const app = await call(herald, token, 'POST', '/app', { name: 'restart', uid: 'restart' });
    assert.equal(app.status, 201);
    const endpoint = await call(herald, token, 'POST', '/app/restart/endpoint', {
      url: 'https://receiver.example.com/hooks',
      uid: 'main',
    });
    assert.equal(endpoint.status, 201);

    const acknowledged = new Map<string, number>();
    await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const r = await call(herald, token, 'POST', '/app/restart/msg', {
          eventType: 'order.created',
          eventId: `order-${i}`,
          payload: { i },
        });
        assert.equal(r.status, 202, JSON.stringify(r.body));
        acknowledged.set(String(r.body.id), i);
      }),
    );
    assert.equal(acknowledged.size, 50);

    assert.deepEqual(await herald.kill('SIGKILL'), { code: null, signal: 'SIGKILL' });
    herald = await herald.restart();

    const seen = new Map<string, Json>();
    let iterator: string | null = null;
    for (;;) {
      const query: string = `limit=20&with_content=true${iterator ? `&iterator=${iterator}` : ''}`;
      const page = await call(herald, token, 'GET', `/app/restart/msg?${query}`);
      assert.equal(page.status, 200);
      for (const m of page.body.data as Json[]) seen.set(String(m.id), m);
      if (page.body.done) break;
      iterator = page.body.iterator as string;
    }
    assert.deepEqual([...seen.keys()].sort(), [...acknowledged.keys()].sort());
    for (const [id, i] of acknowledged) {
      const m = seen.get(id);
      assert.deepEqual([m?.eventId, m?.payload], [`order-${i}`, { i }]);
    }

    const destinations = await Promise.all(
      [...acknowledged.keys()].map((id) =>
        call(herald, token, 'GET', `/app/restart/msg/${id}/endpoint`),
      ),
    );
    for (const d of destinations) {
      assert.equal(d.status, 200);
      const data = d.body.data as Json[];
      assert.equal(data.length, 1);
      assert.equal(data[0]?.id, endpoint.body.id);
      assert.equal(data[0]?.status, 1, 'pending');
    }
    const stats = await call(herald, token, 'GET', '/app/restart/endpoint/main/stats');
    assert.deepEqual(
      [stats.body.pending, stats.body.success, stats.body.fail, stats.body.sending],
      [50, 0, 0, 0],
    );
    assert.deepEqual(await herald.kill('SIGTERM'), { code: 0, signal: null });
  } finally {
    await herald.cleanup();
  }
});
