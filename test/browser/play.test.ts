// Play in a real browser against `herald serve`: an inbox made with a portal token receives a
// real delivery, and the page shows it live (no reload) with its headers, formatted body and
// signature verdict; hostile text in a body stays text; nothing is fetched from other hosts.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { type HeraldProcess, heraldTestToken, startHerald } from '../helpers/herald-process.ts';
import { launchBrowser, screenshots, watchedContext } from './browser.ts';

type Inbox = { id: string; url: string; viewUrl: string };

describe('the Play page', () => {
  let herald: HeraldProcess;
  let browser: Browser;
  let dir: string;

  const call = async <T>(token: string, method: string, path: string, body?: unknown) => {
    const response = await fetch(`${herald.url}/api/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    assert.ok(
      response.ok,
      `${method} ${path}: ${response.status} ${await response.clone().text()}`,
    );
    return (await response.json()) as T;
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'herald-play-'));
    // No HERALD_ALLOWED_SUBNETS: Herald reaches its own inbox without opening the guard.
    herald = await startHerald({
      HERALD_DATA_DIR: dir,
      HERALD_DATABASE_URL: `sqlite:${join(dir, 'herald.db')}`,
      HERALD_ADMIN_TOKEN: heraldTestToken,
    });
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await herald?.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  test('a delivery appears live with its signature verdict, and hostile text stays text', async () => {
    const app = await call<{ id: string }>(heraldTestToken, 'POST', '/app', { name: 'Acme' });
    const portal = await call<{ token: string }>(
      heraldTestToken,
      'POST',
      `/auth/app-portal-access/${app.id}`,
      {},
    );
    const inbox = await call<Inbox>(portal.token, 'POST', '/play/inbox');
    assert.equal(inbox.viewUrl, `${herald.url}/play/${inbox.id}`);

    const watched = await watchedContext(browser, herald.url);
    try {
      const page = await watched.newPage();
      await page.goto(inbox.viewUrl);
      await page.getByText('Waiting for the first request…').waitFor();
      assert.equal(await page.getByLabel('Send requests to').inputValue(), inbox.url);
      // A marker that a reload would wipe.
      await page.evaluate('window.playMarker = 42');

      // The customer's endpoint is the Play URL; the producer publishes a message.
      await call(portal.token, 'POST', `/app/${app.id}/endpoint`, { url: inbox.url });
      const hostile = '<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2">';
      await call(heraldTestToken, 'POST', `/app/${app.id}/msg`, {
        eventType: 'invoice.paid',
        payload: { invoice: 'inv_1', note: hostile },
      });

      const details = page.getByRole('region', { name: 'Request details' });
      await details.getByText('signature valid').waitFor({ timeout: 15_000 });
      assert.match(
        await details.getByRole('heading', { level: 2 }).innerText(),
        new RegExp(`^POST\\s+/play/in/${inbox.id}$`),
      );
      const headers = await details.getByRole('table').innerText();
      assert.match(headers, /webhook-signature\s+v1,/);
      assert.match(headers, /content-type\s+application\/json/);
      const body = await details.getByLabel('Request body').innerText();
      assert.equal(body, JSON.stringify({ invoice: 'inv_1', note: hostile }, null, 2));
      assert.equal(await page.locator('img').count(), 0, 'the body made no element');
      assert.equal(await page.evaluate('window.pwned'), undefined);
      await screenshots(page, 'play');

      // The same signed request with another body: the page shows the verdict change.
      const delivered = (await (
        await fetch(`${herald.url}/api/v1/play/inbox/${inbox.id}/request`)
      ).json()) as { data: { headers: { name: string; value: string }[] }[] };
      const signed = Object.fromEntries(
        (delivered.data[0]?.headers ?? [])
          .filter((h) => h.name.startsWith('webhook-'))
          .map((h) => [h.name, h.value]),
      );
      await fetch(inbox.url, {
        method: 'POST',
        headers: { ...signed, 'content-type': 'application/json' },
        body: '{"invoice":"inv_2"}',
      });
      await details.getByText('signature invalid').waitFor();
      await page.getByRole('status').getByText('2 requests').waitFor();
      assert.equal(
        await details.getByLabel('Request body').innerText(),
        '{\n  "invoice": "inv_2"\n}',
      );

      // The first one is still there to pick.
      await page
        .getByRole('list', { name: 'Requests received' })
        .getByRole('button')
        .last()
        .click();
      await details.getByText('signature valid').waitFor();

      assert.equal(await page.evaluate('window.playMarker'), 42, 'the page did not reload');
      assert.deepEqual(watched.foreignRequests, []);
      assert.deepEqual(watched.pageErrors, []);
    } finally {
      await watched.close();
    }
  });

  test('an unknown inbox says so; /play/ gets a new Play URL with a token', async () => {
    const watched = await watchedContext(browser, herald.url, { width: 390, height: 844 });
    try {
      const page = await watched.newPage();
      await page.goto(`${herald.url}/play/0123456789abcdef0123456789abcdef`);
      await page.getByRole('heading', { name: 'No such Play inbox' }).waitFor();

      await page.goto(`${herald.url}/play/`);
      await page.getByLabel('API token').fill(heraldTestToken);
      await page.getByRole('button', { name: 'Get a Play URL' }).click();
      await page.getByText('Waiting for the first request…').waitFor();
      assert.match(page.url(), /\/play\/[0-9a-f]{32}$/);
      assert.deepEqual(watched.foreignRequests, []);
      // The unknown inbox's 404 is logged by the browser as a failed resource load.
      assert.deepEqual(
        watched.pageErrors.filter((e) => !/status of 404/.test(e)),
        [],
      );
    } finally {
      await watched.close();
    }
  });
});
