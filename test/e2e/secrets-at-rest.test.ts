// Secrets at rest: endpoint signing secrets, endpoint URL passwords, secret-looking custom
// headers and portal tokens (kept in the idempotency cache, since the SDKs send an
// Idempotency-Key on every call) are sealed in the database. A real `herald serve` runs a full
// round; then its database files and its whole log are scanned for them. Values from before
// encryption are sealed at the next start, and `herald rotate-key` seals everything with a
// new main secret.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Webhook } from 'standardwebhooks';
import { createSecretBox } from '../../src/store/secret-box.ts';
import { openUrlPassword } from '../../src/store/url-password.ts';
import { heraldTestToken, startHeraldChild } from '../helpers/herald-process.ts';
import { startReceiver } from '../helpers/receiver.ts';

const root = join(import.meta.dirname, '..', '..');
const endpointSecret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const headerSecret = 'Bearer sk_live_do_not_store_me_4242';
const urlPassword = 'url-pw-do-not-store-4242';
const urlWithPassword = `https://hook:${urlPassword}@example.com/hook`;

const api = (base: string) => async (method: string, path: string, body?: unknown) => {
  const response = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: {
      authorization: `Bearer ${heraldTestToken}`,
      'content-type': 'application/json',
      'idempotency-key': `key-${method}-${path}-${Math.random()}`,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
};

/** Every byte of the data directory's database files, as text. */
const databaseBytes = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.startsWith('herald.db'))
    .map((f) => readFileSync(join(dir, f)).toString('latin1'))
    .join('\n');

const until = async (condition: () => boolean, what: string) => {
  const deadline = Date.now() + 20_000;
  while (!condition()) {
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await sleep(25);
  }
};

test('no secret reaches the database files or the log, and deliveries still sign and send them', {
  timeout: 120_000,
}, async () => {
  const receiver = await startReceiver();
  let herald = await startHeraldChild({
    env: { HERALD_ALLOWED_SUBNETS: '127.0.0.1/32', HERALD_LOG_LEVEL: 'info' },
  });
  try {
    const call = api(herald.url);
    const app = await call('POST', '/app', { name: 'Secretive' });
    const endpoint = await call('POST', `/app/${app.body.id}/endpoint`, {
      url: receiver.url,
      secret: endpointSecret,
      headers: { Authorization: headerSecret, 'X-Plain': 'visible' },
    });
    assert.equal(endpoint.status, 201);
    const portal = await call('POST', `/auth/app-portal-access/${app.body.id}`, {});
    assert.equal(portal.status, 200);
    const portalToken: string = portal.body.token;
    assert.match(portalToken, /^hrld_/);
    const message = await call('POST', `/app/${app.body.id}/msg`, {
      eventType: 'secret.test',
      payload: { hello: 'world' },
    });
    assert.equal(message.status, 202);
    await until(() => receiver.requests.length > 0, 'the delivery');

    // Sealed does not mean lost: the delivery carries the header and verifies with the secret.
    const delivered = receiver.requests[0];
    assert.ok(delivered);
    assert.equal(delivered.headers.authorization, headerSecret);
    const headers = Object.fromEntries(
      Object.entries(delivered.headers).map(([k, v]) => [k, String(v)]),
    );
    new Webhook(endpointSecret).verify(delivered.body, headers);
    const secret = await call('GET', `/app/${app.body.id}/endpoint/${endpoint.body.id}/secret`);
    assert.equal(secret.body.key, endpointSecret);
    // The attempt records the headers sent, the secret one masked.
    // (The receiver has its request a moment before the attempt is committed.)
    let recorded: Record<string, string> | undefined;
    const deadline = Date.now() + 20_000;
    while (!recorded && Date.now() < deadline) {
      const attempts = await call('GET', `/app/${app.body.id}/attempt/msg/${message.body.id}`);
      recorded = attempts.body.data[0]?.requestHeaders;
      if (!recorded) await sleep(25);
    }
    assert.equal(recorded?.Authorization, '••••••••');
    assert.equal(recorded?.['X-Plain'], 'visible');

    // Stop the process so that everything it wrote is in the files.
    await herald.kill('SIGTERM');
    const bytes = databaseBytes(herald.dataDir);
    assert.ok(bytes.includes('Secretive'), 'the scan reads the real files');
    for (const needle of [
      endpointSecret,
      'whsec_',
      headerSecret,
      'sk_live_',
      portalToken,
      'hrld_',
    ]) {
      assert.equal(bytes.includes(needle), false, `the database files hold ${needle}`);
    }
    for (const needle of [endpointSecret, headerSecret, portalToken]) {
      assert.equal(herald.output().includes(needle), false, `the log holds ${needle}`);
    }

    // Restarted on the same files and key file, the secret still opens.
    herald = await herald.restart();
    const again = await api(herald.url)(
      'GET',
      `/app/${app.body.id}/endpoint/${endpoint.body.id}/secret`,
    );
    assert.equal(again.body.key, endpointSecret);
  } finally {
    await herald.cleanup();
    await receiver.close();
  }
});

test('values from before encryption are sealed at start, and rotate-key reseals everything', {
  timeout: 120_000,
}, async () => {
  let herald = await startHeraldChild();
  try {
    const call = api(herald.url);
    const app = await call('POST', '/app', { name: 'Older' });
    const endpoint = await call('POST', `/app/${app.body.id}/endpoint`, {
      url: urlWithPassword,
      secret: endpointSecret,
    });
    await herald.kill('SIGTERM');

    // As a version before encryption left it: the secrets column in plain JSON, the URL with
    // its password in plain text.
    const path = join(herald.dataDir, 'herald.db');
    const stored = () => {
      const db = new DatabaseSync(path);
      try {
        const row = db
          .prepare('SELECT secrets, url FROM endpoints WHERE id = ?')
          .get(endpoint.body.id);
        return { secrets: String(row?.secrets), url: String(row?.url) };
      } finally {
        db.close();
      }
    };
    const sealedColumn = () => stored().secrets;
    /** The stored URL opened with the data directory's main secret (its first line). */
    const storedUrl = () =>
      openUrlPassword(
        createSecretBox(
          readFileSync(join(herald.dataDir, 'main-secret'), 'utf8')
            .split('\n')
            .map((line) => line.trim())
            .filter(Boolean),
        ),
        stored().url,
      );
    /** The sealed password's key id (sealed values read `hsb1.<key id>.…`). */
    const urlKeyId = () => /:hsb1\.([^.]+)\./.exec(stored().url)?.[1];
    const original = sealedColumn();
    assert.match(original, /^hsb1\./);
    assert.equal(stored().url.includes(urlPassword), false, 'the URL password is sealed');
    assert.match(stored().url, /^https:\/\/hook:hsb1\..+@example\.com\/hook$/);
    const db = new DatabaseSync(path);
    db.prepare('UPDATE endpoints SET secrets = ?, url = ? WHERE id = ?').run(
      JSON.stringify([{ key: endpointSecret, expiresAt: null }]),
      urlWithPassword,
      endpoint.body.id,
    );
    db.close();
    assert.match(sealedColumn(), /whsec_/);

    herald = await herald.restart('SIGTERM');
    const read = await api(herald.url)(
      'GET',
      `/app/${app.body.id}/endpoint/${endpoint.body.id}/secret`,
    );
    assert.equal(read.body.key, endpointSecret);
    const shown = await api(herald.url)('GET', `/app/${app.body.id}/endpoint/${endpoint.body.id}`);
    assert.equal(shown.body.url, 'https://hook:***@example.com/hook', 'shown masked, as ever');
    await herald.kill('SIGTERM');
    const migrated = sealedColumn();
    assert.match(migrated, /^hsb1\./, 'sealed at start');
    assert.equal(stored().url.includes(urlPassword), false, 'the URL password sealed at start');
    const keyId = (value: string) => value.split('.')[1];
    assert.equal(keyId(migrated), keyId(original));
    assert.equal(urlKeyId(), keyId(original));
    assert.equal(storedUrl(), urlWithPassword, 'the main secret opens it to the URL given');

    const keyFile = join(herald.dataDir, 'main-secret');
    const keyBefore = readFileSync(keyFile, 'utf8');
    const rotated = spawnSync(process.execPath, ['bin/herald.js', 'rotate-key'], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', ...herald.env },
      encoding: 'utf8',
    });
    assert.equal(rotated.status, 0, rotated.stderr);
    assert.match(rotated.stdout, /Sealed \d+ rows with the new main secret/);
    assert.notEqual(readFileSync(keyFile, 'utf8'), keyBefore);
    assert.notEqual(keyId(sealedColumn()), keyId(migrated), 'sealed with the new key');
    assert.notEqual(urlKeyId(), keyId(migrated), 'the URL password too');

    herald = await herald.restart('SIGTERM');
    const after = await api(herald.url)(
      'GET',
      `/app/${app.body.id}/endpoint/${endpoint.body.id}/secret`,
    );
    assert.equal(after.body.key, endpointSecret);
    assert.equal(storedUrl(), urlWithPassword, 'the new main secret opens it');
  } finally {
    await herald.cleanup();
  }
});

test('a node whose main secret does not open the stored values refuses to start', {
  timeout: 60_000,
}, async () => {
  const herald = await startHeraldChild({
    env: { HERALD_MAIN_SECRET: 'the-first-secret-0123456789' },
  });
  try {
    const call = api(herald.url);
    const app = await call('POST', '/app', { name: 'Keyed' });
    await call('POST', `/app/${app.body.id}/endpoint`, { url: 'https://example.com/hook' });
    await herald.kill('SIGTERM');
    const wrong = spawnSync(process.execPath, ['bin/herald.js', 'serve'], {
      cwd: root,
      env: {
        PATH: process.env.PATH ?? '',
        ...herald.env,
        HERALD_MAIN_SECRET: 'another-secret-0123456789',
      },
      encoding: 'utf8',
      timeout: 20_000,
    });
    assert.notEqual(wrong.status, 0);
    assert.match(wrong.stderr + wrong.stdout, /unknown key/);
  } finally {
    await herald.cleanup();
  }
});
