// Play inboxes: created with any token, read by their unguessable id, bounded in count, body
// size and lifetime, and delivered to by Herald itself without opening the private-address
// guard to anything else.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { prepareSigner, signStandardWebhook } from '../../src/domain/signing.ts';
import { type Api, type Call, client } from '../helpers/client.ts';
import { freePort } from '../helpers/herald-process.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

type Inbox = { id: string; url: string; viewUrl: string; expiresAt: string; maxRequests: number };
type PlayRequest = {
  id: string;
  method: string;
  path: string;
  headers: { name: string; value: string }[];
  body: string;
  bodyEncoding: string;
  bodySize: number;
  bodyTruncated: boolean;
  signature: { status: string; endpointId: string | null; scheme: string | null };
};
type Attempt = { status: number; responseStatusCode: number; response: string };

let t: TestApp;
let c: ReturnType<typeof client>;
let api: Api;
let origin: string;

before(async () => {
  // No private subnet allowed: the inbox must be reached without HERALD_ALLOWED_SUBNETS.
  t = await createTestApp({
    allowedSubnets: [],
    config: { playMaxRequests: 3, playMaxBodyBytes: 2048, playInboxTtlSeconds: 600 },
  });
  c = client(t);
  api = c.api;
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  origin = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  t.play.addOwnOrigin(origin);
});

after(async () => {
  await t.close();
});

/** Creates an inbox over HTTP, as a browser on Herald's origin would. */
async function createInbox(token = t.admin.authorization as string): Promise<Inbox> {
  const response = await fetch(`${origin}/api/v1/play/inbox`, {
    method: 'POST',
    headers: { authorization: token },
  });
  assert.equal(response.status, 201, await response.clone().text());
  return (await response.json()) as Inbox;
}

async function requests(inbox: Inbox, after?: string): Promise<PlayRequest[]> {
  const query = after ? `?after=${after}` : '';
  const response = await fetch(`${origin}/api/v1/play/inbox/${inbox.id}/request${query}`);
  assert.equal(response.status, 200, await response.clone().text());
  return ((await response.json()) as { data: PlayRequest[] }).data;
}

describe('creating and reading inboxes', () => {
  test('any valid token creates an inbox; its urls are under the origin the caller used', async () => {
    const inbox = await createInbox();
    assert.match(inbox.id, /^[0-9a-f]{32}$/);
    assert.equal(inbox.url, `${origin}/play/in/${inbox.id}`);
    assert.equal(inbox.viewUrl, `${origin}/play/${inbox.id}`);
    assert.equal(inbox.maxRequests, 3);
    const lifetime = Date.parse(inbox.expiresAt) - t.clock.now();
    assert.ok(Math.abs(lifetime - 600_000) < 1000, `lifetime ${lifetime}`);

    const app = await api<{ id: string }>('POST', '/app', { name: 'scoped' });
    const access = await api<{ token: string }>('POST', `/auth/app-portal-access/${app.id}`, {});
    const scoped = await createInbox(`Bearer ${access.token}`);
    assert.notEqual(scoped.id, inbox.id);
    // No body, an empty JSON body and `{}` are all the same request.
    for (const extra of [{}, { raw: '' }, { body: {} }] satisfies Partial<Call>[]) {
      await c.ok({ method: 'POST', url: '/api/v1/play/inbox', ...extra }, 201);
    }
  });

  test('creating needs a token; reading needs only the id', async () => {
    const anonymous = await fetch(`${origin}/api/v1/play/inbox`, { method: 'POST' });
    assert.equal(anonymous.status, 401);
    const inbox = await createInbox();
    const read = await fetch(`${origin}/api/v1/play/inbox/${inbox.id}`);
    assert.equal(read.status, 200);
    assert.equal(((await read.json()) as Inbox).url, inbox.url);
  });

  test('an unknown or malformed id is a coded 404, on the API and at the inbox address', async () => {
    for (const id of ['0123456789abcdef0123456789abcdef', 'nothing']) {
      const read = await fetch(`${origin}/api/v1/play/inbox/${id}/request`);
      assert.equal(read.status, 404);
      assert.equal(((await read.json()) as { code: string }).code, 'not_found');
      const sent = await fetch(`${origin}/play/in/${id}`, { method: 'POST', body: 'x' });
      assert.equal(sent.status, 404);
      assert.equal(((await sent.json()) as { code: string }).code, 'not_found');
    }
  });
});

describe('recording requests', () => {
  test('any method, content type and raw body is recorded as sent', async () => {
    const inbox = await createInbox();
    const xml = await fetch(`${inbox.url}?source=test`, {
      method: 'PUT',
      headers: { 'content-type': 'application/xml', 'x-custom': 'one' },
      body: '<a>1</a>',
    });
    assert.equal(xml.status, 204);
    assert.equal((await fetch(inbox.url)).status, 204);
    const binary = await fetch(inbox.url, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: new Uint8Array([0xff, 0x00, 0xfe]),
    });
    assert.equal(binary.status, 204);
    const seen = await requests(inbox);
    assert.deepEqual(
      seen.map((r) => r.method),
      ['PUT', 'GET', 'POST'],
    );
    // Broken JSON and a body with no content type at all are recorded as they came.
    const other = await createInbox();
    const broken = await fetch(other.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"broken":',
    });
    assert.equal(broken.status, 204);
    await c.ok(
      {
        method: 'PATCH',
        url: `/play/in/${other.id}`,
        token: null,
        raw: Buffer.from('raw bytes'),
        contentType: null,
      },
      204,
    );
    assert.deepEqual(
      (await requests(other)).map((r) => [r.method, r.body]),
      [
        ['POST', '{"broken":'],
        ['PATCH', 'raw bytes'],
      ],
    );
    const [put, , bytes] = seen as [PlayRequest, PlayRequest, PlayRequest];
    assert.equal(put.path, `/play/in/${inbox.id}?source=test`);
    assert.equal(put.body, '<a>1</a>');
    assert.ok(put.headers.some((h) => h.name === 'x-custom' && h.value === 'one'));
    assert.equal(put.signature.status, 'no-endpoint');
    assert.equal(bytes.bodyEncoding, 'base64');
    assert.equal(bytes.body, Buffer.from([0xff, 0x00, 0xfe]).toString('base64'));
    // Only what arrived after the last one seen.
    assert.deepEqual(await requests(inbox, bytes.id), []);
    assert.equal((await requests(inbox, put.id)).length, 2);
  });

  test('the API keeps parsing JSON: the inbox parser is scoped to the inbox address', async () => {
    await c.expectError(
      {
        method: 'POST',
        url: '/api/v1/app',
        raw: '{"name":"x"}',
        contentType: 'application/octet-stream',
      },
      415,
      'unsupported_media_type',
    );
  });

  test('an inbox keeps its last requests only, and the first bytes of a large body', async () => {
    const inbox = await createInbox();
    for (let i = 1; i <= 5; i++) {
      assert.equal((await fetch(inbox.url, { method: 'POST', body: `request ${i}` })).status, 204);
    }
    assert.deepEqual(
      (await requests(inbox)).map((r) => r.body),
      ['request 3', 'request 4', 'request 5'],
    );
    const large = 'x'.repeat(5000);
    assert.equal((await fetch(inbox.url, { method: 'POST', body: large })).status, 204);
    const last = (await requests(inbox)).at(-1) as PlayRequest;
    assert.equal(last.body.length, 2048);
    assert.equal(last.bodySize, 5000);
    assert.equal(last.bodyTruncated, true);
  });

  test('a body over the server limit is a coded 413', async () => {
    const inbox = await createInbox();
    const response = await fetch(inbox.url, {
      method: 'POST',
      body: 'x'.repeat(t.config.maxPayloadBytes * 2 + 70_000),
    });
    assert.equal(response.status, 413);
    assert.equal(((await response.json()) as { code: string }).code, 'payload_too_large');
  });

  test('an expired inbox answers 410 gone until maintenance purges it, then 404', async () => {
    const inbox = await createInbox();
    await fetch(inbox.url, { method: 'POST', body: 'before' });
    t.clock.advance(600_001);
    try {
      for (const response of [
        await fetch(inbox.url, { method: 'POST', body: 'after' }),
        await fetch(`${origin}/api/v1/play/inbox/${inbox.id}/request`),
        await fetch(`${origin}/api/v1/play/inbox/${inbox.id}`),
      ]) {
        assert.equal(response.status, 410);
        assert.equal(((await response.json()) as { code: string }).code, 'gone');
      }
      assert.ok((await t.store.playInboxes.purgeExpired(t.clock.now())) >= 1);
      const gone = await fetch(`${origin}/api/v1/play/inbox/${inbox.id}/request`);
      assert.equal(gone.status, 404);
    } finally {
      t.clock.set(Date.now());
    }
  });
});

describe('signatures and delivery to Herald itself', () => {
  test('a delivery reaches the inbox without HERALD_ALLOWED_SUBNETS, and its signature is valid', async () => {
    const app = await api<{ id: string }>('POST', '/app', { name: 'play-delivery' });
    const inbox = await createInbox();
    const endpoint = await api<{ id: string }>('POST', `/app/${app.id}/endpoint`, {
      url: inbox.url,
    });
    await api('POST', `/app/${app.id}/msg`, { eventType: 'invoice.paid', payload: { n: 1 } });
    await t.dispatcher.runDue();
    const attempts = await api<{ data: Attempt[] }>(
      'GET',
      `/app/${app.id}/attempt/endpoint/${endpoint.id}`,
    );
    assert.equal(attempts.data[0]?.responseStatusCode, 204);
    assert.equal(attempts.data[0]?.status, 0);
    const [delivered] = await requests(inbox);
    assert.equal(delivered?.method, 'POST');
    assert.deepEqual(JSON.parse(delivered?.body ?? ''), { n: 1 });
    assert.ok(delivered?.headers.some((h) => h.name === 'webhook-signature'));
    assert.deepEqual(delivered?.signature, {
      status: 'valid',
      endpointId: endpoint.id,
      scheme: 'standard',
      detail: "webhook-signature verifies with the endpoint's secret",
    });
  });

  test('a Play-shaped URL on another host or port gets no exemption from the guard', async () => {
    const app = await api<{ id: string }>('POST', '/app', { name: 'play-guard' });
    const inbox = await createInbox();
    const port = (t.app.server.address() as AddressInfo).port;
    const other = await freePort();
    for (const url of [
      `http://127.0.0.2:${port}/play/in/${inbox.id}`,
      `http://127.0.0.1:${other}/play/in/${inbox.id}`,
    ]) {
      const endpoint = await api<{ id: string }>('POST', `/app/${app.id}/endpoint`, { url });
      await api('POST', `/app/${app.id}/msg`, { eventType: 'a.b', payload: {} });
      await t.dispatcher.runDue();
      const attempts = await api<{ data: Attempt[] }>(
        'GET',
        `/app/${app.id}/attempt/endpoint/${endpoint.id}`,
      );
      const attempt = attempts.data[0] as Attempt;
      assert.equal(attempt.responseStatusCode, 0, url);
      assert.match(
        attempt.response,
        /is a loopback address; allow it with HERALD_ALLOWED_SUBNETS/,
        url,
      );
      await api('DELETE', `/app/${app.id}/endpoint/${endpoint.id}`, undefined, 204);
    }
    assert.deepEqual(await requests(inbox), []);
  });

  test('a tampered body or signature is invalid; an unsigned request says so', async () => {
    const app = await api<{ id: string }>('POST', '/app', { name: 'play-tamper' });
    const inbox = await createInbox();
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const endpoint = await api<{ id: string }>('POST', `/app/${app.id}/endpoint`, {
      url: inbox.url,
      secret,
    });
    const body = '{"ok":true}';
    const seconds = Math.floor(Date.now() / 1000);
    const signature = signStandardWebhook([prepareSigner(secret)], 'msg_1', seconds, body);
    const send = (headers: Record<string, string>, payload: string) =>
      fetch(inbox.url, { method: 'POST', headers, body: payload });
    const signed = {
      'webhook-id': 'msg_1',
      'webhook-timestamp': String(seconds),
      'webhook-signature': signature,
    };
    await send(signed, body);
    await send(signed, '{"ok":false}');
    await send(
      { ...signed, 'webhook-signature': `v1,${Buffer.alloc(32).toString('base64')}` },
      body,
    );
    const seen = await requests(inbox);
    assert.deepEqual(
      seen.map((r) => r.signature.status),
      ['valid', 'invalid', 'invalid'],
    );
    assert.equal(seen[0]?.signature.endpointId, endpoint.id);
    await send({}, body);
    assert.equal((await requests(inbox)).at(-1)?.signature.status, 'unsigned');
  });

  test('a rotated-out secret still verifies during its grace period; hmac schemes are checked too', async () => {
    const app = await api<{ id: string }>('POST', '/app', { name: 'play-rotate' });
    const inbox = await createInbox();
    const old = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const endpoint = await api<{ id: string }>('POST', `/app/${app.id}/endpoint`, {
      url: inbox.url,
      secret: old,
    });
    await api('POST', `/app/${app.id}/endpoint/${endpoint.id}/secret/rotate`, {}, 204);
    const seconds = Math.floor(Date.now() / 1000);
    const signature = signStandardWebhook([prepareSigner(old)], 'msg_2', seconds, 'x');
    await fetch(inbox.url, {
      method: 'POST',
      headers: {
        'webhook-id': 'msg_2',
        'webhook-timestamp': String(seconds),
        'webhook-signature': signature,
      },
      body: 'x',
    });
    assert.equal((await requests(inbox))[0]?.signature.status, 'valid');

    // The generic REST preset signs the raw body, hex, in X-Webhook-Signature.
    const rest = await createInbox();
    const restEndpoint = await api<{ id: string }>('POST', `/app/${app.id}/endpoint`, {
      url: rest.url,
      policy: { preset: 'generic-rest' },
      secret: 'a-caller-chosen-secret-of-some-length',
    });
    assert.ok(restEndpoint.id);
    await api('POST', `/app/${app.id}/msg`, {
      eventType: 'a.b',
      payload: { object: { id: 1 } },
    });
    await t.dispatcher.runDue();
    const [delivered] = await requests(rest);
    assert.equal(delivered?.signature.status, 'valid');
    assert.equal(delivered?.signature.scheme, 'hmac-sha256');
  });
});
