// The request id of a publish names every attempt it causes, not only the first: retries come
// from the queue, and after a restart from another process, which read it from the stored
// message.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type HeraldChild, heraldTestToken, startHeraldChild } from '../helpers/herald-process.ts';
import { startReceiver } from '../helpers/receiver.ts';

const attemptLines = (herald: HeraldChild) =>
  herald
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((e) => /^attempt (succeeded|failed)$/.test(String(e.msg)));

async function until(what: string, done: () => boolean, herald: HeraldChild): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!done()) {
    assert.ok(Date.now() < deadline, `${what}: not within 20 s\n${herald.output()}`);
    await sleep(25);
  }
}

test('retries, and attempts made by the next process, log the request id of the publish', {
  timeout: 60_000,
}, async () => {
  const failing = await startReceiver(() => ({ status: 500 }));
  let herald = await startHeraldChild({
    env: {
      HERALD_LOG_LEVEL: 'info',
      HERALD_LOG_FORMAT: 'json',
      HERALD_ALLOWED_SUBNETS: '127.0.0.1/32',
      // Three attempts: at once, 1 s later, and 3 s after that (after the restart).
      HERALD_RETRY_SCHEDULE: '1,3',
    },
  });
  try {
    const call = async (path: string, body: unknown, headers: Record<string, string> = {}) => {
      const response = await fetch(`${herald.url}/api/v1${path}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${heraldTestToken}`,
          'content-type': 'application/json',
          ...headers,
        },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as { id: string } };
    };
    const app = await call('/app', { name: 'request ids' });
    assert.equal(app.status, 201);
    assert.equal((await call(`/app/${app.body.id}/endpoint`, { url: failing.url })).status, 201);
    const published = await call(
      `/app/${app.body.id}/msg`,
      { eventType: 'request.id', payload: {} },
      { 'x-request-id': 'publish-req-7' },
    );
    assert.equal(published.status, 202);

    // The first attempt (sent straight from the publish) and the first retry (claimed from
    // the queue by the loop).
    await until('two attempts', () => attemptLines(herald).length >= 2, herald);
    const first = attemptLines(herald);
    assert.deepEqual(
      first.map((e) => [e.msg, e.reqId, e.msgId ?? published.body.id]),
      [
        ['attempt failed', 'publish-req-7', published.body.id],
        ['attempt failed', 'publish-req-7', published.body.id],
      ],
    );

    // Another process makes the last attempt: the id comes from the database.
    herald = await herald.restart('SIGKILL');
    await until('the attempt after the restart', () => attemptLines(herald).length >= 1, herald);
    const [last] = attemptLines(herald);
    assert.equal(last?.reqId, 'publish-req-7');
    assert.equal(failing.requests.length, 3);
  } finally {
    await herald.cleanup();
    await failing.close();
  }
});
