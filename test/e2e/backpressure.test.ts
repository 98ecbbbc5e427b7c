// Valid traffic cannot crash Herald: rounds of 200 concurrent publishes of 1 MiB payloads (the
// default limit) against `herald serve` with the heap limits of `npm start`. The process stays
// up, every answer is 202 or a 503 with Retry-After (backpressure), and every 202 is stored
// and delivered.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';
import { heraldTestToken, startHerald } from '../helpers/herald-process.ts';

const rounds = 3;
const concurrent = 200;
const payloadBytes = 1_048_576;

test('concurrent 1 MiB publishes get 202 or backpressure, and the process stays up', {
  timeout: 240_000,
}, async (t) => {
  // A receiver that keeps only the message ids (not 1 MiB bodies).
  const delivered = new Set<string>();
  const receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      delivered.add(String(req.headers['webhook-id']));
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  const dir = mkdtempSync(join(tmpdir(), 'herald-backpressure-'));
  // startHerald runs with npm start's heap limits.
  const herald = await startHerald({
    HERALD_DATA_DIR: dir,
    HERALD_DATABASE_URL: `sqlite:${join(dir, 'herald.db')}`,
    HERALD_ADMIN_TOKEN: heraldTestToken,
    HERALD_ALLOWED_SUBNETS: '127.0.0.1/32',
  });
  const dispatcher = new Agent({ connections: concurrent, pipelining: 0 });
  const auth = { authorization: `Bearer ${heraldTestToken}` };
  const post = async (path: string, body: string) => {
    const response = await request(`${herald.url}/api/v1${path}`, {
      method: 'POST',
      dispatcher,
      headers: { ...auth, 'content-type': 'application/json' },
      body,
    });
    const text = await response.body.text();
    return { status: response.statusCode, headers: response.headers, text };
  };
  try {
    const app = JSON.parse((await post('/app', JSON.stringify({ name: 'big' }))).text);
    await post(`/app/${app.id}/endpoint`, JSON.stringify({ url: receiverUrl }));
    // Just under the payload limit once wrapped in {"blob": "..."}.
    const blob = 'x'.repeat(payloadBytes - 20);
    const accepted: string[] = [];
    const statuses = new Map<number, number>();
    for (let round = 0; round < rounds; round++) {
      const answers = await Promise.all(
        Array.from({ length: concurrent }, (_, i) =>
          post(
            `/app/${app.id}/msg`,
            `{"eventType":"big.blob","eventId":"r${round}-${i}","payload":{"blob":"${blob}"}}`,
          ).catch((error: Error) => ({
            status: 0,
            headers: {} as Record<string, string | string[] | undefined>,
            text: error.message,
          })),
        ),
      );
      for (const answer of answers) {
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        if (answer.status === 202) {
          accepted.push(JSON.parse(answer.text).id);
        } else {
          assert.ok(
            answer.status === 503 || answer.status === 429,
            `answer ${answer.status}: ${answer.text.slice(0, 200)}`,
          );
          assert.ok(answer.headers['retry-after'], 'backpressure names a Retry-After');
          assert.match(JSON.parse(answer.text).code, /^[a-z_]+$/);
        }
      }
      const ping = await fetch(`${herald.url}/api/v1/health/ping`);
      assert.equal(ping.status, 204, `alive after round ${round + 1}`);
    }
    t.diagnostic(`answers by status: ${JSON.stringify(Object.fromEntries(statuses))}`);
    assert.ok(accepted.length > 0, `some publishes are accepted: ${[...statuses]}`);

    // Every acknowledged message is stored and arrives.
    const deadline = Date.now() + 120_000;
    while (accepted.some((id) => !delivered.has(id))) {
      assert.ok(Date.now() < deadline, `${delivered.size} of ${accepted.length} delivered`);
      await sleep(200);
    }
    const one = await fetch(`${herald.url}/api/v1/app/${app.id}/msg/${accepted[0]}`, {
      headers: auth,
    });
    assert.equal(one.status, 200);
  } finally {
    await dispatcher.close();
    await herald.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    receiver.closeAllConnections();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  }
});
