// A portal link expiring by time, in real Chromium, without waiting out its minute: Herald
// runs on the test app's fake clock and the page on Playwright's, and the test moves both.
// The page notices the expiry itself (its timer), and a page whose timer has not fired yet
// learns it from the API's 401 at its next call. Either way: the "Link expired" page.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { launchBrowser, screenshots, type WatchedContext, watchedContext } from './browser.ts';
import { storedKey, unexpectedErrors } from './portal-setup.ts';

describe('portal links expire by time', () => {
  let t: TestApp;
  let base: string;
  let browser: Browser;
  const opened: WatchedContext[] = [];

  const api = async (method: string, path: string, body?: unknown, token?: string) => {
    const response = await fetch(`${base}/api/v1${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : t.admin),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  };

  /**
   * A link that lasts the shortest time allowed, a minute. Its origin is the configured one
   * (this test app's listener has a port of its own): the path and the key are kept.
   */
  const shortLink = async (): Promise<{ url: string; token: string }> => {
    const r = await api('POST', '/auth/app-portal-access/clocked', { expiry: 60 });
    assert.equal(r.status, 200);
    const given = new URL(r.body.url);
    assert.equal(`${given.pathname}${given.hash}`, `/portal/#key=${r.body.token}`);
    return { url: `${base}${given.pathname}${given.hash}`, token: r.body.token };
  };

  const openTab = async (): Promise<Page> => {
    const watched = await watchedContext(browser, base);
    opened.push(watched);
    return watched.newPage();
  };

  const portalShown = (page: Page) =>
    page.getByRole('navigation', { name: 'Portal' }).waitFor({ timeout: 15_000 });

  before(async () => {
    t = await createTestApp();
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    browser = await launchBrowser();
    assert.equal((await api('POST', '/app', { name: 'Clocked Co', uid: 'clocked' })).status, 201);
  });

  after(async () => {
    for (const watched of opened) await watched.close();
    await browser?.close();
    await t?.close();
  });

  test('the open page ends on "Link expired" when the minute is up, by its own clock', async () => {
    const link = await shortLink();
    const page = await openTab();
    // The page's clock starts where Herald's is, and moves only when the test says.
    await page.clock.install({ time: t.clock.now() });
    await page.goto(link.url);
    await portalShown(page);
    await page.getByText('Clocked Co').waitFor();

    await page.clock.fastForward(58_000);
    await page.getByRole('link', { name: 'Event catalogue' }).click();
    await page.getByRole('heading', { name: 'Event catalogue' }).waitFor();
    assert.equal(await page.getByRole('heading', { name: 'Link expired' }).count(), 0);

    t.clock.advance(61_000);
    await page.clock.fastForward(3_000);
    await page.getByRole('heading', { name: 'Link expired' }).waitFor();
    await page.getByText('This portal link has expired or was revoked.').waitFor();
    assert.equal(new URL(page.url()).pathname, '/portal/expired');
    assert.equal(await storedKey(page), null, 'the key is forgotten');
    // Herald agrees: the token is refused.
    assert.equal((await api('GET', '/app/clocked', undefined, link.token)).status, 401);
    await screenshots(page, 'portal-expired-by-time');
  });

  test("a page whose timer has not fired learns of the expiry from the API's 401", async () => {
    const link = await shortLink();
    const page = await openTab();
    await page.goto(link.url);
    await portalShown(page);
    await page.getByText('Clocked Co').waitFor();

    // Only Herald's clock moves: the page's own timer is still a minute away.
    t.clock.advance(61_000);
    await page.getByRole('link', { name: 'Logs' }).click();
    await page.getByRole('heading', { name: 'Link expired' }).waitFor();
    await page.getByText('This portal link has expired or was revoked.').waitFor();
    assert.equal(await storedKey(page), null);
  });

  test('no request left for another host, and no page had an error', () => {
    assert.equal(opened.length, 2);
    for (const watched of opened) {
      assert.deepEqual(watched.foreignRequests, []);
      // The 401 that ended the second session is logged by the browser as a failed load.
      assert.deepEqual(unexpectedErrors(watched), []);
    }
  });
});
