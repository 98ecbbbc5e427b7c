// The private-address guard, as an attacker would probe it: every spelling of a loopback,
// private, link-local, metadata, CGNAT or ULA address, literal or behind a host name (an
// injected resolver answers), and a redirect towards one. Each is refused, and the attempt
// says why. Nothing is allowed here, not even loopback.
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import type { LookupFunction } from '../../src/outbound/http-client.ts';
import { type Api, client } from '../helpers/client.ts';
import { type Receiver, startReceiver } from '../helpers/receiver.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

type Page<T> = { data: T[] };
type Attempt = { status: number; responseStatusCode: number; response: string };

/** A URL host and the kind of address it reaches. */
const literals: [string, string][] = [
  ['127.0.0.1', 'loopback'],
  ['2130706433', 'loopback (decimal)'],
  ['0177.0.0.1', 'loopback (octal)'],
  ['0x7f.0.0.1', 'loopback (hex)'],
  ['0x7f000001', 'loopback (hex, one number)'],
  ['127.1', 'loopback (short form)'],
  ['[::1]', 'IPv6 loopback'],
  ['[::ffff:127.0.0.1]', 'IPv4-mapped loopback'],
  ['[::ffff:7f00:1]', 'IPv4-mapped loopback, hex'],
  ['[64:ff9b::a9fe:a9fe]', 'NAT64 of the metadata address'],
  ['[2002:a9fe:a9fe::]', '6to4 of the metadata address'],
  ['169.254.169.254', 'cloud metadata'],
  ['[fd00:ec2::254]', 'cloud metadata over IPv6 (ULA)'],
  ['169.254.1.1', 'link-local'],
  ['[fe80::1]', 'IPv6 link-local'],
  ['10.0.0.1', 'private'],
  ['172.16.0.1', 'private'],
  ['192.168.1.1', 'private'],
  ['100.64.0.1', 'CGNAT'],
  ['[fd12:3456::1]', 'ULA'],
  ['0.0.0.0', 'unspecified'],
  ['[::]', 'IPv6 unspecified'],
];

/** Addresses a resolver may hand back for an innocent-looking name. */
const resolved = [
  '127.0.0.1',
  '::1',
  '::ffff:10.0.0.1',
  '169.254.169.254',
  'fd00:ec2::254',
  '10.1.2.3',
  '100.100.100.100',
  'fe80::abcd',
  '64:ff9b::7f00:1',
];

let t: TestApp;
let api: Api;
let receiver: Receiver;
/** What the injected resolver answers for `<n>.resolves.test`. */
const lookup: LookupFunction = (host, _options, callback) => {
  const address = resolved[Number(host.split('.')[0])] ?? '127.0.0.1';
  callback(null, [{ address, family: address.includes(':') ? 6 : 4 }]);
};

before(async () => {
  t = await createTestApp({ allowedSubnets: [], lookup });
  api = client(t).api;
  receiver = await startReceiver();
});

// A test that fails midway must not leave its answers or requests to the next.
afterEach(() => receiver.reset());

after(async () => {
  await t.close();
  await receiver.close();
});

async function attemptFor(name: string, url: string): Promise<Attempt> {
  const app = await api<{ id: string }>('POST', '/app', { name });
  const endpoint = await api<{ id: string }>('POST', `/app/${app.id}/endpoint`, { url });
  await api('POST', `/app/${app.id}/msg`, { eventType: 'probe', payload: {} });
  await t.dispatcher.runDue();
  const page = await api<Page<Attempt>>('GET', `/app/${app.id}/attempt/endpoint/${endpoint.id}`);
  assert.equal(page.data.length, 1, `${name}: one attempt`);
  return page.data[0] as Attempt;
}

test('every spelling of a private or reserved address is refused with a reason', async () => {
  for (const [host, kind] of literals) {
    const attempt = await attemptFor(
      `literal ${host}`,
      `http://${host}:${new URL(receiver.url).port}/hook`,
    );
    assert.equal(attempt.status, 2, `${host} (${kind}) failed`);
    assert.equal(attempt.responseStatusCode, 0, `${host}: no response`);
    assert.match(
      attempt.response,
      /address; allow it with HERALD_ALLOWED_SUBNETS/,
      `${host} (${kind}) names the reason: ${attempt.response}`,
    );
  }
  assert.equal(receiver.requests.length, 0, 'nothing reached the receiver on loopback');
});

test('a host name resolving to a private or reserved address is refused', async () => {
  for (const [i, address] of resolved.entries()) {
    const attempt = await attemptFor(
      `resolved ${address}`,
      `http://${i}.resolves.test:${new URL(receiver.url).port}/hook`,
    );
    assert.equal(attempt.status, 2, address);
    assert.match(attempt.response, /address; allow it with HERALD_ALLOWED_SUBNETS/, address);
  }
  assert.equal(receiver.requests.length, 0);
});

test('a redirect towards the metadata address is not followed', async () => {
  const open = await createTestApp({ lookup });
  const openApi = client(open).api;
  receiver.respond(() => ({
    status: 307,
    headers: { location: 'http://169.254.169.254/latest/meta-data/' },
  }));
  try {
    const app = await openApi<{ id: string }>('POST', '/app', { name: 'redirect' });
    const endpoint = await openApi<{ id: string }>('POST', `/app/${app.id}/endpoint`, {
      url: receiver.url,
    });
    await openApi('POST', `/app/${app.id}/msg`, { eventType: 'probe', payload: {} });
    await open.dispatcher.runDue();
    const page = await openApi<Page<Attempt>>(
      'GET',
      `/app/${app.id}/attempt/endpoint/${endpoint.id}`,
    );
    const attempt = page.data[0];
    assert.equal(attempt?.status, 2);
    assert.equal(attempt?.responseStatusCode, 307);
    assert.match(attempt?.response ?? '', /redirect \(307\).*not followed/);
  } finally {
    await open.close();
  }
});
