import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type Receiver, startReceiver } from '../../test/helpers/receiver.ts';
import { isSuccess } from './request.ts';
import { createThreadedHttpClient } from './threaded-http-client.ts';

let receiver: Receiver;

before(async () => {
  // Answers each request with the number it carries, so answers can be matched to requests.
  receiver = await startReceiver((request) => ({
    status: 200,
    body: `answer ${request.headers['x-n'] ?? '?'}`,
  }));
});

after(async () => {
  await receiver.close();
});

test('requests sent from the thread arrive whole, and each caller gets its own answer', async () => {
  const client = createThreadedHttpClient({
    userAgent: 'Herald/test',
    allowedSubnets: ['127.0.0.0/8'],
  });
  try {
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, n) =>
        client.send({
          url: `${receiver.url}/hook?n=${n}`,
          headers: { 'x-n': String(n), 'content-type': 'application/json' },
          body: n % 2 === 0 ? JSON.stringify({ n }) : Buffer.from(JSON.stringify({ n })),
          timeoutMs: 5000,
        }),
      ),
    );
    assert.deepEqual(
      results.map((r) => [isSuccess(r), r.body]),
      Array.from({ length: 50 }, (_, n) => [true, `answer ${n}`]),
    );
    const first = receiver.requests.find((r) => r.headers['x-n'] === '0');
    assert.equal(first?.body, '{"n":0}');
    assert.equal(first?.headers['user-agent'], 'Herald/test');
    assert.equal(receiver.requests.find((r) => r.headers['x-n'] === '1')?.body, '{"n":1}');
  } finally {
    await client.close();
  }
});

test('the thread keeps the SSRF guard, and a closed client answers at once instead of hanging', async () => {
  const client = createThreadedHttpClient({ userAgent: 'Herald/test' });
  const request = { url: `${receiver.url}/hook`, headers: {}, body: '{}', timeoutMs: 5000 };
  const blocked = await client.send(request);
  assert.equal(blocked.error?.code, 'destination_blocked');
  await client.close();
  const afterClose = await client.send(request);
  assert.equal(afterClose.error?.code, 'connection_failed');
  assert.match(afterClose.error?.message ?? '', /stopped/);
});
