// What an attempt tells about its request and its answer: the headers it was sent with
// (sensitive values masked, in the database too), and least exposure: an application's
// token reads no response from a private address that the allowed subnets let through (the
// operator still does), through the attempt routes and the test request alike.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { client, type Json } from '../helpers/client.ts';
import { type Receiver, type Reply, startReceiver } from '../helpers/receiver.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

const secretHeader = 'Bearer sk_live_attempt_headers_4242';
const internalAnswer = '{"internal":"db-7.corp: 42 rows"}';

let t: TestApp;
let c: ReturnType<typeof client>;
let receiver: Receiver;

before(async () => {
  t = await createTestApp();
  c = client(t);
  receiver = await startReceiver(
    (request): Reply =>
      request.path.endsWith('/moved')
        ? { status: 302, headers: { location: 'http://10.1.2.3/admin?token=abc' } }
        : { status: 200, headers: { 'x-internal-host': 'db-7.corp' }, body: internalAnswer },
  );
});

after(async () => {
  await receiver.close();
  await t.close();
});

/** Publishes one message to the app and delivers it; returns the message. */
async function deliverOne(app: string): Promise<Json> {
  const msg = await c.publish(app, { eventType: 'invoice.paid', payload: { n: 1 } });
  await t.dispatcher.runDue();
  return msg;
}

describe('request headers', () => {
  test('each attempt records the headers sent, with sensitive values masked', async () => {
    await c.createApp({ name: 'Headers', uid: 'headers' });
    const endpoint = await c.createEndpoint('headers', {
      url: receiver.url,
      headers: { Authorization: secretHeader, 'X-Api-Key': 'key_123456', 'X-Plain': 'visible' },
    });
    const before = receiver.requests.length;
    const msg = await deliverOne('headers');
    const sent = receiver.requests[before];
    assert.ok(sent);
    assert.equal(sent.headers.authorization, secretHeader, 'the real value was sent');

    const page = await c.ok({ url: `/api/v1/app/headers/attempt/msg/${msg.id}` });
    const attempt = page.data[0];
    const recorded: Record<string, string> = attempt.requestHeaders;
    assert.deepEqual(
      { ...recorded, 'webhook-timestamp': '', 'webhook-signature': '' },
      {
        Authorization: '••••••••',
        'X-Api-Key': '••••••••',
        'X-Plain': 'visible',
        'content-type': 'application/json',
        'webhook-id': msg.id,
        'webhook-timestamp': '',
        'webhook-signature': '',
        'user-agent': 'Herald/test',
      },
    );
    // Every value shown is the one that went out.
    for (const [name, value] of Object.entries(recorded)) {
      if (value !== '••••••••') assert.equal(sent.headers[name.toLowerCase()], value, name);
    }
    // The single-attempt and per-endpoint routes show the same.
    const one = await c.ok({ url: `/api/v1/app/headers/msg/${msg.id}/attempt/${attempt.id}` });
    assert.deepEqual(one.requestHeaders, recorded);
    const byEndpoint = await c.ok({ url: `/api/v1/app/headers/attempt/endpoint/${endpoint.id}` });
    assert.deepEqual(byEndpoint.data[0].requestHeaders, recorded);

    // Nothing secret is stored: the column holds the masked values only.
    const rows = await t.sql.all<{ request_headers: string }>(
      'SELECT request_headers FROM attempts WHERE id = ?',
      [attempt.id],
    );
    assert.match(rows[0]?.request_headers ?? '', /X-Plain/);
    assert.doesNotMatch(rows[0]?.request_headers ?? '', /sk_live|key_123456/);
  });

  test("the endpoint's format decides the headers: svix-* names and the policy's user agent", async () => {
    await c.createApp({ name: 'Svix style', uid: 'svix-style' });
    await c.createEndpoint('svix-style', {
      url: receiver.url,
      policy: { signature: { scheme: 'svix' }, userAgent: 'Acme-Hooks/2.0' },
    });
    const msg = await deliverOne('svix-style');
    const page = await c.ok({ url: `/api/v1/app/svix-style/attempt/msg/${msg.id}` });
    const recorded: Record<string, string> = page.data[0].requestHeaders;
    assert.deepEqual(Object.keys(recorded).sort(), [
      'content-type',
      'svix-id',
      'svix-signature',
      'svix-timestamp',
      'user-agent',
    ]);
    assert.equal(recorded['user-agent'], 'Acme-Hooks/2.0');
    assert.match(recorded['svix-signature'] ?? '', /^v1,/);
  });
});

describe('least exposure', () => {
  test('an application token reads no answer from an allowed private address; the operator does', async () => {
    await c.createApp({ name: 'Private', uid: 'private' });
    const endpoint = await c.createEndpoint('private', { url: receiver.url });
    const token = await c.portalToken('private');
    const msg = await deliverOne('private');

    const paths = async () => {
      const list = await c.ok({ url: `/api/v1/app/private/attempt/msg/${msg.id}` });
      const id = list.data[0].id;
      return [
        `/api/v1/app/private/attempt/msg/${msg.id}`,
        `/api/v1/app/private/attempt/endpoint/${endpoint.id}`,
        `/api/v1/app/private/msg/${msg.id}/attempt/${id}`,
      ];
    };
    for (const url of await paths()) {
      const asApp = await c.ok({ url, token });
      const appView = asApp.data?.[0] ?? asApp;
      assert.deepEqual(
        [appView.response, appView.responseHidden, appView.responseStatusCode],
        ['', 'private_destination', 200],
        url,
      );
      // The request's headers are the application's own: still shown.
      assert.equal(appView.requestHeaders['webhook-id'], msg.id);
      assert.doesNotMatch(JSON.stringify(asApp), /db-7\.corp/);

      const asOperator = await c.ok({ url });
      const operatorView = asOperator.data?.[0] ?? asOperator;
      assert.deepEqual(
        [operatorView.response, operatorView.responseHidden],
        [internalAnswer, null],
        url,
      );
    }

    // The test request: the same rule.
    const testUrl = `/api/v1/app/private/endpoint/${endpoint.id}/test`;
    const tested = await c.ok({ method: 'POST', url: testUrl, token }, 200);
    assert.deepEqual(
      [tested.success, tested.statusCode, tested.response, tested.responseHidden],
      [true, 200, '', 'private_destination'],
    );
    const testedByOperator = await c.ok({ method: 'POST', url: testUrl }, 200);
    assert.deepEqual(
      [testedByOperator.response, testedByOperator.responseHidden],
      [internalAnswer, null],
    );
  });

  test("an error that quotes the answer (a redirect's Location) is hidden too", async () => {
    await c.createApp({ name: 'Moved', uid: 'moved' });
    const endpoint = await c.createEndpoint('moved', { url: `${receiver.url}/moved` });
    const token = await c.portalToken('moved');
    const msg = await deliverOne('moved');
    const url = `/api/v1/app/moved/attempt/msg/${msg.id}`;
    const asApp = (await c.ok({ url, token })).data[0];
    assert.deepEqual(
      [asApp.responseStatusCode, asApp.response, asApp.responseHidden],
      [302, '', 'private_destination'],
    );
    const asOperator = (await c.ok({ url })).data[0];
    assert.match(asOperator.response, /10\.1\.2\.3\/admin/);

    const tested = await c.ok(
      { method: 'POST', url: `/api/v1/app/moved/endpoint/${endpoint.id}/test`, token },
      200,
    );
    assert.equal(tested.responseHidden, 'private_destination');
    assert.doesNotMatch(JSON.stringify(tested), /10\.1\.2\.3/);
    assert.equal(typeof tested.error, 'string');
  });

  test("a Play inbox is Herald's own, not a private destination: its answer stays visible", async () => {
    await c.createApp({ name: 'Played', uid: 'played' });
    const token = await c.portalToken('played');
    const inbox = await c.ok({ method: 'POST', url: '/api/v1/play/inbox', token });
    await c.ok({
      method: 'POST',
      url: '/api/v1/app/played/endpoint',
      body: { url: inbox.url },
      token,
    });
    const msg = await deliverOne('played');
    const attempt = (await c.ok({ url: `/api/v1/app/played/attempt/msg/${msg.id}`, token }))
      .data[0];
    assert.deepEqual([attempt.responseStatusCode, attempt.responseHidden], [204, null]);
  });
});

test('HERALD_SHOW_PRIVATE_RESPONSES shows application tokens the answers of private addresses', async () => {
  const open = await createTestApp({ config: { showPrivateResponses: true } });
  try {
    const oc = client(open);
    await oc.createApp({ name: 'Open', uid: 'open' });
    await oc.createEndpoint('open', { url: receiver.url });
    const token = await oc.portalToken('open');
    const msg = await oc.publish('open', { eventType: 'invoice.paid', payload: {} });
    await open.dispatcher.runDue();
    const attempt = (await oc.ok({ url: `/api/v1/app/open/attempt/msg/${msg.id}`, token })).data[0];
    assert.deepEqual([attempt.response, attempt.responseHidden], [internalAnswer, null]);
  } finally {
    await open.close();
  }
});
