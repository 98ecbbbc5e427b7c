import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { addressVerdict, createHttpClient, type HttpClient, isSuccess } from './http-client.ts';
import { parseSubnets } from './ip-range.ts';

let server: Server;
let base: string;
let hits = 0;
let connections = 0;
let lastUserAgent = '';

before(async () => {
  server = createServer((req, res) => {
    hits++;
    lastUserAgent = String(req.headers['user-agent']);
    req.resume();
    req.on('end', () => {
      if (req.url === '/ok') res.writeHead(200).end('fine');
      else if (req.url === '/fail') res.writeHead(500).end('broken');
      else if (req.url === '/redirect') res.writeHead(302, { location: `${base}/ok` }).end();
      else if (req.url === '/big') res.writeHead(200).end('x'.repeat(1_000_000));
      else if (req.url === '/drip') {
        // Headers at once, then a byte every 20 ms for as long as the client listens.
        res.writeHead(200);
        const timer = setInterval(() => res.write('.'), 20);
        res.on('close', () => clearInterval(timer));
      }
      // '/hang' never answers
    });
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function withClient(
  fn: (client: HttpClient) => Promise<void>,
  options: Partial<Parameters<typeof createHttpClient>[0]> = {},
) {
  const client = createHttpClient({
    allowedSubnets: ['127.0.0.0/8'],
    userAgent: 'Herald/test',
    ...options,
  });
  try {
    await fn(client);
  } finally {
    await client.close();
  }
}

const post = (
  client: HttpClient,
  path: string,
  extra: Partial<Parameters<HttpClient['send']>[0]> = {},
) =>
  client.send({
    url: `${base}${path}`,
    headers: { 'content-type': 'application/json' },
    body: '{}',
    timeoutMs: 2000,
    ...extra,
  });

test('2xx succeeds with its body, keep-alive reuses the connection, User-Agent is set', async () => {
  await withClient(async (client) => {
    const before = connections;
    const results = [];
    for (let i = 0; i < 5; i++) results.push(await post(client, '/ok'));
    assert.ok(results.every(isSuccess));
    assert.equal(results[0]?.body, 'fine');
    assert.ok(connections - before < 5, 'connections are kept alive and reused');
    assert.equal(lastUserAgent, 'Herald/test');
    await post(client, '/ok', { headers: { 'User-Agent': 'Custom/1.0' } });
    assert.equal(lastUserAgent, 'Custom/1.0');
  });
});

test('a 500 is recorded with its body; a redirect is a failure and is not followed', async () => {
  await withClient(async (client) => {
    const failed = await post(client, '/fail');
    assert.deepEqual(
      [failed.statusCode, failed.body, failed.error, isSuccess(failed)],
      [500, 'broken', null, false],
    );
    const hitsBefore = hits;
    const redirected = await post(client, '/redirect');
    assert.equal(redirected.statusCode, 302);
    assert.equal(redirected.error?.code, 'redirect');
    assert.equal(hits - hitsBefore, 1, 'the Location was not followed');
  });
});

test('the timeout, the body cap, refused connections and https-only', async () => {
  await withClient(
    async (client) => {
      const hung = await post(client, '/hang', { timeoutMs: 200 });
      assert.equal(hung.error?.code, 'timeout');
      // The timeout covers the whole exchange, not only the wait between body chunks.
      const startedDrip = performance.now();
      const drip = await post(client, '/drip', { timeoutMs: 300 });
      assert.equal(drip.error?.code, 'timeout');
      assert.ok(performance.now() - startedDrip < 1500, 'a dripping body is cut at the deadline');
      const big = await post(client, '/big');
      assert.equal(big.body.length, 1000);
      const refused = await client.send({
        url: 'http://127.0.0.1:1/x',
        headers: {},
        body: '',
        timeoutMs: 1000,
      });
      assert.equal(refused.error?.code, 'connection_failed');
      const plain = await post(client, '/ok', { httpsOnly: true });
      assert.equal(plain.error?.code, 'https_required');
      const invalid = await client.send({ url: 'ftp://x', headers: {}, body: '', timeoutMs: 1000 });
      assert.equal(invalid.error?.code, 'invalid_url');
    },
    { maxResponseBytes: 1000 },
  );
});

test('the SSRF guard checks the resolved address and never connects to a refused one', async () => {
  const hitsBefore = hits;
  // Nothing allowed: loopback is refused.
  await withClient(
    async (client) => {
      const literal = await post(client, '/ok');
      assert.equal(literal.error?.code, 'destination_blocked');
      assert.match(
        literal.error?.message ?? '',
        /loopback address; allow it with HERALD_ALLOWED_SUBNETS/,
      );
    },
    { allowedSubnets: [] },
  );
  // A host name resolving to each of these is refused for what the address is.
  for (const [address, family, kind] of [
    ['10.0.0.1', 4, 'a private address'],
    ['::ffff:127.0.0.1', 6, 'a loopback address'],
    ['169.254.169.254', 4, 'a link-local address'],
  ] as const) {
    const looked: string[] = [];
    await withClient(
      async (client) => {
        const viaDns = await client.send({
          url: `http://hooks.example.test:${new URL(base).port}/ok`,
          headers: {},
          body: '',
          timeoutMs: 1000,
        });
        assert.equal(viaDns.error?.code, 'destination_blocked', address);
        assert.equal(
          viaDns.error?.message,
          `destination ${address} is ${kind}; allow it with HERALD_ALLOWED_SUBNETS`,
        );
      },
      {
        allowedSubnets: [],
        lookup: (host, _options, callback) => {
          looked.push(host);
          callback(null, [{ address, family }]);
        },
      },
    );
    assert.deepEqual(looked, ['hooks.example.test'], `${address} came from the lookup`);
  }
  assert.equal(hits, hitsBefore, 'no request reached the server');
  // A hostname resolving to an allowed address connects to that very address.
  await withClient(
    async (client) => {
      const ok = await client.send({
        url: `http://hooks.example.test:${new URL(base).port}/ok`,
        headers: {},
        body: '',
        timeoutMs: 1000,
      });
      assert.ok(isSuccess(ok));
    },
    {
      lookup: (_host, _options, callback) => callback(null, [{ address: '127.0.0.1', family: 4 }]),
    },
  );
});

test('requests to a private address the allowed subnets let through are marked as such', async () => {
  const port = new URL(base).port;
  const viaName = (path: string, portNumber = port) => ({
    url: `http://hooks.example.test:${portNumber}${path}`,
    headers: {},
    body: '',
    timeoutMs: 1000,
  });
  await withClient(
    async (client) => {
      const literal = await post(client, '/fail');
      assert.deepEqual([literal.statusCode, literal.privateDestination], [500, true]);
      const named = await client.send(viaName('/ok'));
      assert.deepEqual([isSuccess(named), named.privateDestination], [true, true]);
      // Kept alive: the next request on the same connection is marked too.
      assert.equal((await client.send(viaName('/redirect'))).privateDestination, true);
      // A connection that failed after the name resolved to a private address, too.
      const refused = await client.send(viaName('/ok', '1'));
      assert.deepEqual(
        [refused.error?.code, refused.privateDestination],
        ['connection_failed', true],
      );
      const blocked = await client.send({ ...viaName('/ok'), url: 'http://10.0.0.1/x' });
      assert.deepEqual(
        [blocked.error?.code, blocked.privateDestination],
        ['destination_blocked', false],
      );
    },
    {
      lookup: (_host, _options, callback) => callback(null, [{ address: '127.0.0.1', family: 4 }]),
    },
  );
  const allowed = parseSubnets(['127.0.0.0/8']);
  assert.deepEqual(addressVerdict('93.184.216.34', allowed), { blocked: null, private: false });
  assert.deepEqual(addressVerdict('2606:4700::1', allowed), { blocked: null, private: false });
  assert.deepEqual(addressVerdict('127.0.0.1', allowed), { blocked: null, private: true });
  assert.deepEqual(addressVerdict('::ffff:127.0.0.2', allowed), { blocked: null, private: true });
  assert.equal(addressVerdict('10.0.0.1', allowed).private, false);
  assert.match(addressVerdict('10.0.0.1', allowed).blocked ?? '', /private/);
});

test('a header HTTP cannot carry fails at once, however many such requests wait, and closing still ends', async () => {
  const hitsBefore = hits;
  // More requests than connections: undici left the queued ones (and closing) waiting for ever.
  await withClient(
    async (client) => {
      const started = performance.now();
      const results = await Promise.all(
        ['user-agent', 'x-custom'].flatMap((name) =>
          ['\uffff', 'a\r\nInjected: yes', '\u0000', 'caf\u20ac'].flatMap((value) =>
            Array.from({ length: 10 }, () =>
              client.send({
                url: `${base}/ok`,
                headers: { [name]: value },
                body: '{}',
                timeoutMs: 5000,
              }),
            ),
          ),
        ),
      );
      assert.ok(performance.now() - started < 1000, 'no request waits for its deadline');
      for (const result of results) {
        assert.equal(result.error?.code, 'render_failed');
        assert.match(result.error?.message ?? '', /header cannot be sent/);
      }
      // Latin-1 is allowed, as in any HTTP header.
      assert.equal(
        (await post(client, '/ok', { headers: { 'x-custom': 'café' } })).statusCode,
        200,
      );
    },
    { connections: 2 },
  );
  assert.equal(hits - hitsBefore, 1, 'nothing unsendable reached the receiver');
});
