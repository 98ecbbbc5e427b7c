// Every `herald` sub-command against a running Herald (a `herald serve` child process), as a
// user runs it: output and exit code.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { generateHmacSecret } from '../../src/domain/signing.ts';
import { type BackgroundHerald, herald, heraldInBackground } from '../helpers/cli.ts';
import {
  freePort,
  type HeraldChild,
  heraldTestToken,
  startHeraldChild,
} from '../helpers/herald-process.ts';

let node: HeraldChild;
let api: Record<string, string>;
let db: Record<string, string>;
let listener: BackgroundHerald;
let receiverUrl: string;
const secret = generateHmacSecret();
const scratch = mkdtempSync(join(tmpdir(), 'herald-cli-'));

before(async () => {
  node = await startHeraldChild({ env: { HERALD_ALLOWED_SUBNETS: '127.0.0.1/32' } });
  api = { HERALD_URL: node.url, HERALD_TOKEN: heraldTestToken };
  db = { HERALD_DATA_DIR: node.dataDir, HERALD_DATABASE_URL: node.env.HERALD_DATABASE_URL ?? '' };
  listener = heraldInBackground(['listen', '--port', '0', '--secret', secret, '--json'], {});
  const [, port] = await listener.waitFor(/Listening on http:\/\/127\.0\.0\.1:(\d+)\//, 'stderr');
  receiverUrl = `http://127.0.0.1:${port}/`;
});

after(async () => {
  await listener?.stop('SIGINT');
  await node?.cleanup();
  rmSync(scratch, { recursive: true, force: true });
});

test('every command has --help; no command or a wrong one is a usage error (exit 2)', async () => {
  for (const name of [
    'serve',
    'app',
    'endpoint',
    'event-type',
    'message',
    'send',
    'listen',
    'verify',
    'tail',
    'token',
    'queue',
    'migrate',
    'migrate-data',
    'openapi',
  ]) {
    const result = await herald([name, '--help'], {});
    assert.equal(result.code, 0, name);
    assert.match(result.stdout, new RegExp(`^Usage: herald ${name}`), name);
  }
  const none = await herald([], {});
  assert.equal(none.code, 2);
  assert.match(none.stderr, /Exit codes:/);
  const missing = await herald(['endpoint', 'create', 'acme'], api);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /^herald: herald endpoint create takes <app> <url>/);
});

test('an unreachable Herald or a refused token is exit code 3, in one line', async () => {
  const closed = `http://127.0.0.1:${await freePort()}`;
  const down = await herald(['app', 'list'], { HERALD_URL: closed, HERALD_TOKEN: 'x' });
  assert.equal(down.code, 3);
  assert.match(
    down.stderr,
    /^herald: cannot reach Herald at http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED\n$/,
  );
  const refused = await herald(['app', 'list'], { ...api, HERALD_TOKEN: 'not-a-token' });
  assert.equal(refused.code, 3);
  assert.match(refused.stderr, /401 authentication_failed/);
});

test('app, event-type and endpoint: create, list and get, as a table and as JSON', async () => {
  const created = await herald(['app', 'create', 'Acme Inc.', '--uid', 'acme'], api);
  assert.equal(created.code, 0, created.stderr);
  assert.match(created.stdout, /^id: +app_\w+\nuid: +acme\nname: +Acme Inc\.\n/);
  const listed = await herald(['app', 'list'], api);
  assert.match(listed.stdout, /^ID +UID +NAME +CREATED\n/);
  assert.match(listed.stdout, /app_\w+ +acme +Acme Inc\. +\d{4}-/);
  const got = JSON.parse((await herald(['app', 'get', 'acme', '--json'], api)).stdout);
  assert.equal(got.name, 'Acme Inc.');

  assert.equal(
    (await herald(['event-type', 'create', 'invoice.paid', '--description', 'Paid'], api)).code,
    0,
  );
  assert.match((await herald(['event-type', 'list'], api)).stdout, /invoice\.paid +false +Paid/);

  const endpoint = await herald(
    [
      'endpoint',
      'create',
      'acme',
      receiverUrl,
      '--uid',
      'dev',
      '--event-type',
      'invoice.paid',
      '--secret',
      secret,
      '--json',
    ],
    api,
  );
  assert.equal(endpoint.code, 0, endpoint.stderr);
  assert.deepEqual(JSON.parse(endpoint.stdout).filterTypes, ['invoice.paid']);
  assert.match(
    (await herald(['endpoint', 'list', 'acme'], api)).stdout,
    /ep_\w+ +dev +http:\/\/127\.0\.0\.1:\d+\/ +false +invoice\.paid/,
  );
  assert.equal((await herald(['endpoint', 'secret', 'acme', 'dev'], api)).stdout, `${secret}\n`);
  assert.match(
    (await herald(['endpoint', 'get', 'acme', 'dev'], api)).stdout,
    /^id: +ep_\w+\nuid: +dev\n/,
  );

  const missing = await herald(['app', 'get', 'nobody'], api);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^herald: 404 not_found: /);
});

test('send (argument, file, stdin) is delivered; listen verifies it, tail follows it', async () => {
  const since = new Date(Date.now() - 1000).toISOString();
  const tail = heraldInBackground(
    [
      'tail',
      '--app',
      'acme',
      '--status',
      'success',
      '--count',
      '3',
      '--json',
      '--interval',
      '100',
      '--since',
      since,
    ],
    api,
  );
  const file = join(scratch, 'payload.json');
  writeFileSync(file, '{"invoice": 2}');
  const sent = [
    await herald(['send', 'acme', 'invoice.paid', '{"invoice": 1}', '--event-id', 'inv-1'], api),
    await herald(['send', 'acme', 'invoice.paid', '--file', file], api),
    await herald(['message', 'create', 'acme', 'invoice.paid'], api, '{"invoice": 3}'),
  ];
  const ids = sent.map((r) => {
    assert.equal(r.code, 0, r.stderr);
    return /^id: +(msg_\w+)/.exec(r.stdout)?.[1];
  });

  for (const invoice of [1, 2, 3]) {
    await listener.waitFor(
      new RegExp(`"body":"\\{\\\\"invoice\\\\":${invoice}\\}","signature":"verified"`),
    );
  }
  await tail.waitFor(/(.*\n){3}/);
  assert.equal(await tail.stop(), 0);
  const followed = tail
    .stdout()
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.deepEqual(followed.map((a) => a.msgId).sort(), [...ids].sort());
  assert.ok(followed.every((a) => a.statusText === 'success' && a.responseStatusCode === 204));

  const listed = await herald(['message', 'list', 'acme'], api);
  assert.match(listed.stdout, /^ID +EVENT TYPE +EVENT ID +TIMESTAMP\n/);
  assert.match(listed.stdout, /msg_\w+ +invoice\.paid +inv-1 /);
  const got = await herald(['message', 'get', 'acme', 'inv-1'], api);
  assert.match(got.stdout, /payload: +\{"invoice":1\}/);
  assert.match(got.stdout, /ep_\w+ +http:\/\/127\.0\.0\.1:\d+\/ +success /);
  const bad = await herald(['send', 'acme', 'invoice.paid', 'not json'], api);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^herald: the payload argument is not JSON/);
});

test('listen answers 401 to a tampered request; verify accepts a capture and rejects a tampered one', async () => {
  const line = listener
    .stdout()
    .split('\n')
    .find((l) => l.includes('"signature":"verified"'));
  assert.ok(line);
  const captured = JSON.parse(line) as { headers: Record<string, string>; body: string };

  const tampered = await fetch(receiverUrl, {
    method: 'POST',
    headers: { ...captured.headers, 'content-length': String(captured.body.length + 1) },
    body: `${captured.body} `,
  });
  assert.equal(tampered.status, 401);
  await listener.waitFor(/"signature":"invalid","reason":"no signature matches"/);

  const ok = await herald(['verify', '--secret', secret], {}, line);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /^Signature verified: msg_\w+, sent \d{4}-/);

  const asText = [
    'POST / HTTP/1.1',
    ...Object.entries(captured.headers).map(([k, v]) => `${k}: ${v}`),
    '',
    captured.body.replace('"invoice":', '"invoice": '),
  ].join('\r\n');
  const file = join(scratch, 'tampered.http');
  writeFileSync(file, asText);
  const rejected = await herald(['verify', '--secret', secret, file], {});
  assert.equal(rejected.code, 1);
  assert.equal(rejected.stdout, 'Signature does not verify: no signature matches\n');
  writeFileSync(file, `${asText.replace('"invoice": ', '"invoice":')}\n`);
  assert.equal((await herald(['verify', '--secret', secret, file], {})).code, 0);
  const otherSecret = await herald(
    ['verify', '--secret', generateHmacSecret(), '--json'],
    {},
    line,
  );
  assert.equal(otherSecret.code, 1);
  assert.deepEqual(JSON.parse(otherSecret.stdout), { ok: false, reason: 'no signature matches' });
});

test('token: operator and application tokens work until revoked; only hashes are stored', async () => {
  const made = await herald(['token', 'create', '--json'], db);
  assert.equal(made.code, 0, made.stderr);
  const operator = JSON.parse(made.stdout) as { id: string; token: string; scope: string };
  assert.equal(operator.scope, 'operator');
  assert.equal((await herald(['app', 'list', '--token', operator.token], api)).code, 0);

  const scoped = JSON.parse(
    (await herald(['token', 'create', '--app', 'acme', '--json'], db)).stdout,
  );
  assert.match(scoped.scope, /^app_/);
  const other = await herald(['event-type', 'create', 'x.y', '--token', scoped.token], api);
  assert.equal(other.code, 1);
  assert.match(other.stderr, /403 insufficient access/);
  assert.equal((await herald(['endpoint', 'list', 'acme', '--token', scoped.token], api)).code, 0);

  const list = await herald(['token', 'list'], db);
  assert.match(list.stdout, new RegExp(`${operator.id} +operator +active`));
  assert.doesNotMatch(list.stdout, new RegExp(operator.token));

  assert.equal(
    (await herald(['token', 'revoke', operator.id], db)).stdout,
    `Revoked ${operator.id}.\n`,
  );
  assert.equal((await herald(['app', 'list', '--token', operator.token], api)).code, 3);
  assert.match(
    (await herald(['token', 'list'], db)).stdout,
    new RegExp(`${operator.id} +operator +revoked`),
  );
  const again = await herald(['token', 'revoke', operator.id], db);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /no active token/);
});

test('queue and migrate still work on the database', async () => {
  const queue = await herald(['queue'], db);
  assert.equal(queue.code, 0, queue.stderr);
  assert.match(queue.stdout, /\d+ (delivery|deliveries) shown\n$/);
  const migrate = await herald(['migrate'], db);
  assert.equal(migrate.stdout, 'Database is up to date.\n');
});

test('delete: message payload, endpoint, event type, application', async () => {
  assert.equal((await herald(['message', 'delete', 'acme', 'inv-1'], api)).code, 0);
  assert.match((await herald(['message', 'get', 'acme', 'inv-1'], api)).stdout, /payload: +\{\}/);
  assert.equal(
    (await herald(['endpoint', 'delete', 'acme', 'dev'], api)).stdout,
    'Deleted endpoint dev.\n',
  );
  assert.equal((await herald(['event-type', 'delete', 'invoice.paid'], api)).code, 0);
  assert.match(
    (await herald(['event-type', 'get', 'invoice.paid'], api)).stdout,
    /archived: +true/,
  );
  assert.deepEqual(JSON.parse((await herald(['app', 'delete', 'acme', '--json'], api)).stdout), {
    deleted: 'application acme',
  });
  assert.equal((await herald(['app', 'get', 'acme'], api)).code, 1);
});
