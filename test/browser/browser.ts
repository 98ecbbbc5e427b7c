// Real Chromium (Debian's package) driven by playwright-core against a running Herald. Every
// page a test opens is watched: a request to any other host is blocked and remembered, so a
// test can assert that nothing left for another host.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

const root = join(import.meta.dirname, '..', '..');
/** Where the screenshots of the main pages go; the README shows them. */
export const screenshotDir = join(root, 'docs', 'screenshots');

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

export type WatchedContext = {
  context: BrowserContext;
  /** URLs the pages tried to reach on a host other than Herald's (all were blocked). */
  foreignRequests: string[];
  /** Errors the pages threw or logged (a page with a script error fails its test). */
  pageErrors: string[];
  newPage(): Promise<Page>;
  close(): Promise<void>;
};

/** A fresh browser context that may reach only `origin`. */
export async function watchedContext(
  browser: Browser,
  origin: string,
  options: { width?: number; height?: number } = {},
): Promise<WatchedContext> {
  const context = await browser.newContext({
    viewport: { width: options.width ?? 1280, height: options.height ?? 800 },
  });
  const foreignRequests: string[] = [];
  const pageErrors: string[] = [];
  const allowed = new URL(origin).host;
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.protocol === 'data:' || url.protocol === 'blob:' || url.host === allowed) {
      return route.continue();
    }
    foreignRequests.push(url.href);
    return route.abort('blockedbyclient');
  });
  return {
    context,
    foreignRequests,
    pageErrors,
    async newPage() {
      const page = await context.newPage();
      page.on('pageerror', (error) => pageErrors.push(String(error)));
      page.on('console', (message) => {
        if (message.type() === 'error') pageErrors.push(message.text());
      });
      return page;
    },
    close: () => context.close(),
  };
}

/**
 * Saves a screenshot of the page as it is at desktop width (1280 px) and at phone width
 * (390 px): `docs/screenshots/<name>-desktop.png` and `<name>-phone.png`.
 */
export async function screenshots(page: Page, name: string): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true });
  const original = page.viewportSize();
  for (const [label, width] of [
    ['desktop', 1280],
    ['phone', 390],
  ] as const) {
    await page.setViewportSize({ width, height: label === 'desktop' ? 800 : 844 });
    await page.screenshot({ path: join(screenshotDir, `${name}-${label}.png`), fullPage: true });
  }
  if (original) await page.setViewportSize(original);
}
