// The pages' shell: served from Herald's own origin under a strict CSP, with the browser
// modules they import, and embeddable only by the origins the operator lists.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { type HeraldProcess, heraldTestToken, startHerald } from '../helpers/herald-process.ts';
import { launchBrowser, watchedContext } from './browser.ts';

describe('web pages', () => {
  let herald: HeraldProcess;
  let browser: Browser;
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'herald-web-'));
    herald = await startHerald({
      HERALD_DATA_DIR: dir,
      HERALD_DATABASE_URL: `sqlite:${join(dir, 'herald.db')}`,
      HERALD_ADMIN_TOKEN: heraldTestToken,
      HERALD_PORTAL_FRAME_ANCESTORS: 'https://producer.example',
    });
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await herald?.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  test('each page answers with a strict CSP and the allowed frame ancestors', async () => {
    for (const path of ['/portal/', '/play/abc', '/console/']) {
      const response = await fetch(`${herald.url}${path}`);
      assert.equal(response.status, 200, path);
      assert.match(response.headers.get('content-type') ?? '', /text\/html/);
      const csp = response.headers.get('content-security-policy') ?? '';
      assert.match(csp, /script-src 'self'(;|$)/);
      assert.match(csp, /default-src 'none'/);
      assert.match(csp, /frame-ancestors https:\/\/producer\.example/);
      assert.equal(response.headers.get('referrer-policy'), 'no-referrer');
      const body = await response.text();
      assert.doesNotMatch(body, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script');
    }
  });

  test('the bare prefix is the page too, and a missing file is a 404 in the API error shape', async () => {
    const bare = await fetch(`${herald.url}/portal`);
    assert.equal(bare.status, 200);
    assert.match(await bare.text(), /<script type="module" src="\/portal\/app.js">/);
    const missing = await fetch(`${herald.url}/portal/nothing-here.js`);
    assert.equal(missing.status, 404);
    assert.equal(((await missing.json()) as { code: string }).code, 'not_found');
  });

  test('the browser modules load from this origin and nothing else is fetched', async () => {
    const watched = await watchedContext(browser, herald.url);
    try {
      const page = await watched.newPage();
      await page.goto(`${herald.url}/console/`);
      await page.waitForFunction("!document.body.textContent.includes('Loading…')");
      // Evaluated in the page, as text: these are the browser's module URLs.
      const modules = await page.evaluate(`Promise.all([
        import('/assets/vendor/preact.mjs').then((m) => typeof m.h),
        import('/assets/vendor/preact-hooks.mjs').then((m) => typeof m.useState),
        import('/assets/vendor/uplot.mjs').then((m) => typeof m.default),
      ])`);
      assert.deepEqual(modules, ['function', 'function', 'function']);
      assert.deepEqual(watched.foreignRequests, []);
      assert.deepEqual(watched.pageErrors, []);
    } finally {
      await watched.close();
    }
  });
});
