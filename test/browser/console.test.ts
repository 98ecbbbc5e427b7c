// The operator console in real Chromium against a running `herald serve`: log in with the
// operator token, read the queue and operational events, find applications, open a portal,
// log out. Nothing may leave for another host and no page may throw.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Browser, Page } from 'playwright-core';
import { type HeraldProcess, heraldTestToken, startHerald } from '../helpers/herald-process.ts';
import { launchBrowser, screenshots, type WatchedContext, watchedContext } from './browser.ts';

type Json = Record<string, unknown> & { id: string };

describe('operator console', () => {
  let herald: HeraldProcess;
  let browser: Browser;
  let dir: string;
  let acme: Json;
  let globex: Json;

  const api = async (method: string, path: string, body?: unknown): Promise<Json> => {
    const response = await fetch(`${herald.url}/api/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${heraldTestToken}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    assert.ok(
      response.ok,
      `${method} ${path}: ${response.status} ${await response.clone().text()}`,
    );
    return (response.status === 204 ? {} : await response.json()) as Json;
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'herald-console-'));
    herald = await startHerald({
      HERALD_DATA_DIR: dir,
      HERALD_DATABASE_URL: `sqlite:${join(dir, 'herald.db')}`,
      HERALD_ADMIN_TOKEN: heraldTestToken,
      // The endpoints below are on a blocked private address: each first attempt fails at
      // once, without any network, and the next one is an hour away.
      HERALD_RETRY_SCHEDULE: '3600,3600',
    });
    browser = await launchBrowser();
    acme = await api('POST', '/app', { name: 'Acme Inc.', uid: 'acme' });
    globex = await api('POST', '/app', { name: 'Globex Corporation', uid: 'globex-42' });
    await api('POST', '/app', { name: 'Initech', uid: 'initech' });
    await api('POST', '/event-type', { name: 'invoice.paid', description: 'An invoice was paid' });
    await api('POST', '/app/acme/endpoint', {
      url: 'http://127.0.0.1:9/first',
      description: 'Billing sync',
    });
    const second = await api('POST', '/app/acme/endpoint', { url: 'http://127.0.0.1:9/second' });
    for (let i = 0; i < 3; i++) {
      await api('POST', '/app/acme/msg', { eventType: 'invoice.paid', payload: { invoice: i } });
    }
    // Once its first attempts are over (none in flight, so all three stay paused), disabling
    // it through the API emits the operational event `endpoint.disabled`.
    const deadline = Date.now() + 20_000;
    for (;;) {
      const queued = (await api(
        'GET',
        `/queue?app_id=acme&endpoint_id=${second.id}`,
      )) as unknown as {
        data: { status: number; attempts: number }[];
      };
      if (queued.data.length === 3 && queued.data.every((d) => d.status === 1 && d.attempts === 1))
        break;
      assert.ok(Date.now() < deadline, `first attempts not done: ${JSON.stringify(queued)}`);
      await sleep(50);
    }
    await api('PATCH', `/app/acme/endpoint/${second.id}`, { disabled: true });
  });

  after(async () => {
    await browser?.close();
    await herald?.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  /** The text of the figure card whose label is `label`. */
  const figure = (page: Page, label: string) =>
    page.locator('dl > div').filter({ has: page.getByText(label, { exact: true }) });

  async function search(page: Page, text: string): Promise<string[]> {
    await page.getByLabel('Search by name, uid or id').fill(text);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('heading', { name: `Applications matching “${text}”` }).waitFor();
    // The heading changes before the results arrive: read them once the list has settled (no
    // "Loading…", and the same names twice in a row).
    const results = page.getByRole('table').last().getByRole('link');
    const deadline = Date.now() + 10_000;
    let last: string[] | null = null;
    for (;;) {
      const loading = await page.getByText('Loading…').count();
      const none = await page.getByText('No application matches.').count();
      const names = none > 0 ? [] : await results.allTextContents();
      if (loading === 0 && last !== null && JSON.stringify(names) === JSON.stringify(last)) {
        return names;
      }
      last = loading === 0 ? names : null;
      assert.ok(Date.now() < deadline, `the search for ${text} did not settle`);
      await page.waitForTimeout(100);
    }
  }

  test('log in, watch the queue, find an application, open its portal, log out', async () => {
    const watched: WatchedContext = await watchedContext(browser, herald.url);
    try {
      const page = await watched.newPage();
      await page.goto(`${herald.url}/console/`);
      const tokenField = page.getByLabel('Operator token');
      await tokenField.waitFor();
      assert.equal(await tokenField.getAttribute('type'), 'password');

      // A wrong token: a clear error, still the login form.
      await tokenField.fill('not-the-token');
      await page.getByRole('button', { name: 'Log in' }).click();
      const alert = page.getByRole('alert');
      await alert.waitFor();
      assert.match((await alert.textContent()) ?? '', /not the operator token/);
      // The browser logs the refused login (401) as a failed resource: expected, and the only one.
      assert.deepEqual(
        watched.pageErrors.map((e) => e.replace(/\(.*\)/, '').trim()),
        ['Failed to load resource: the server responded with a status of 401'],
      );
      watched.pageErrors.length = 0;

      await tokenField.fill(heraldTestToken);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.getByRole('heading', { name: 'Overview' }).waitFor();
      assert.equal(await page.getByLabel('Operator token').count(), 0);

      // Overview: the two Acme deliveries per enabled endpoint wait an hour; three more wait
      // for the disabled one and are not in the depth.
      await figure(page, 'Queue depth').getByText('3', { exact: true }).waitFor();
      await figure(page, 'Disabled endpoints').getByText('1', { exact: true }).waitFor();
      const events = page.getByRole('table');
      await events.getByText('endpoint.disabled').waitFor();
      assert.match((await events.textContent()) ?? '', /endpoint\.created.*acme/s);
      await screenshots(page, 'console-overview');

      // Applications: search by name, by uid and by id.
      await page.getByRole('link', { name: 'Applications' }).click();
      await page.getByRole('heading', { name: 'All applications' }).waitFor();
      assert.deepEqual(await search(page, 'acm'), ['Acme Inc.']);
      assert.deepEqual(await search(page, 'x-42'), ['Globex Corporation']);
      assert.deepEqual(await search(page, globex.id), ['Globex Corporation']);
      assert.deepEqual(await search(page, 'nobody'), []);
      assert.deepEqual(await search(page, acme.id), ['Acme Inc.']);

      // Its endpoints: the disabled one first, with the pending deliveries.
      await page.getByRole('link', { name: 'Acme Inc.' }).click();
      await page.getByRole('heading', { name: 'Acme Inc.', level: 2 }).waitFor();
      await page.getByText('6 pending deliveries').waitFor();
      const rows = page.getByRole('table', { name: 'Endpoints' }).getByRole('row');
      assert.equal(await rows.count(), 3);
      const first = (await rows.nth(1).textContent()) ?? '';
      assert.match(first, /127\.0\.0\.1:9\/second/);
      assert.match(first, /Disabled/);
      assert.match(first, /3$/);
      const second = (await rows.nth(2).textContent()) ?? '';
      assert.match(second, /127\.0\.0\.1:9\/first.*Billing sync/);
      assert.match(second, /3$/);
      await screenshots(page, 'console-applications');

      // Open portal: a new tab at this Herald's /portal/ with a key.
      const [tab] = await Promise.all([
        watched.context.waitForEvent('page'),
        page.getByRole('button', { name: 'Open portal' }).click(),
      ]);
      // The portal takes the key from the fragment into the tab's session storage, then drops
      // it from the address bar.
      await tab.waitForURL(/\/portal\//);
      await tab.waitForFunction("(sessionStorage.getItem('herald.portal.key') ?? '').length > 0");
      const key = await tab.evaluate("sessionStorage.getItem('herald.portal.key')");
      assert.match(String(key), /^hrld_app_[A-Za-z0-9_-]+$/);
      const opened = new URL(tab.url());
      assert.equal(opened.origin, herald.url);
      assert.ok(opened.pathname.startsWith('/portal/'), opened.pathname);
      assert.doesNotMatch(opened.hash, /key=/);
      await tab.close();

      // Log out: the login form again, also after a reload.
      await page.getByRole('button', { name: 'Log out' }).click();
      await page.getByLabel('Operator token').waitFor();
      await page.reload();
      await page.getByLabel('Operator token').waitFor();

      assert.deepEqual(watched.foreignRequests, []);
      assert.deepEqual(watched.pageErrors, []);
    } finally {
      await watched.close();
    }
  });
});
