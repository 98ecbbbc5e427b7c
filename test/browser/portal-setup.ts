// What the portal's browser tests share: a running Herald with a receiver it may deliver to,
// the operator's API calls that set the scene, and opening a portal link in a watched tab.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { type HeraldProcess, heraldTestToken, startHerald } from '../helpers/herald-process.ts';
import { type WatchedContext, watchedContext } from './browser.ts';

// biome-ignore lint/suspicious/noExplicitAny: API answers are checked field by field.
type Json = any;

export type Scene = {
  herald: HeraldProcess;
  api<T = Json>(method: string, path: string, body?: unknown, token?: string): Promise<T>;
  /** The status and JSON body of an API call, whatever the status. */
  raw(
    method: string,
    path: string,
    body?: unknown,
    token?: string,
  ): Promise<{ status: number; body: Json }>;
  portalLink(app: string, options?: { readOnly?: boolean }): Promise<string>;
  close(): Promise<void>;
};

export async function startScene(env: Record<string, string> = {}): Promise<Scene> {
  const dir = mkdtempSync(join(tmpdir(), 'herald-portal-'));
  const herald = await startHerald({
    HERALD_DATA_DIR: dir,
    HERALD_DATABASE_URL: `sqlite:${join(dir, 'herald.db')}`,
    HERALD_ADMIN_TOKEN: heraldTestToken,
    // The receivers listen on 127.0.0.1, which Herald refuses by default.
    HERALD_ALLOWED_SUBNETS: '127.0.0.1/32',
    // One retry a second after the first failure, then the delivery has failed.
    HERALD_RETRY_SCHEDULE: '1',
    ...env,
  });
  const raw = async (method: string, path: string, body?: unknown, token = heraldTestToken) => {
    const response = await fetch(`${herald.url}/api/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  };
  return {
    herald,
    raw,
    async api(method, path, body, token) {
      const r = await raw(method, path, body, token);
      assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body;
    },
    async portalLink(app, options = {}) {
      const r = await raw('POST', `/auth/app-portal-access/${app}`, options);
      assert.equal(r.status, 200);
      return r.body.url as string;
    },
    async close() {
      await herald.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Waits until `check` returns a truthy value, polling every 100 ms up to `ms`. */
export async function eventually<T>(
  check: () => Promise<T>,
  ms = 20_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A watched tab with a portal link opened in it. */
export async function openPortal(
  browser: Browser,
  scene: Scene,
  link: string,
  options: { width?: number } = {},
): Promise<{ watched: WatchedContext; page: Page }> {
  const watched = await watchedContext(browser, scene.herald.url, options);
  const page = await watched.newPage();
  await page.goto(link);
  await page.getByRole('navigation', { name: 'Portal' }).waitFor();
  return { watched, page };
}

/** The key the portal keeps for its tab. */
export const storedKey = (page: Page): Promise<string | null> =>
  page.evaluate("sessionStorage.getItem('herald.portal.key')");

/** An API call made from the page with the key the portal stored. */
export const fetchWithStoredKey = (
  page: Page,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; code: string | null }> =>
  // Evaluated in the page, as text (the tests are not compiled against the DOM's types).
  page.evaluate(`(async () => {
    const key = sessionStorage.getItem('herald.portal.key');
    const response = await fetch(${JSON.stringify(`/api/v1${path}`)}, {
      method: ${JSON.stringify(method)},
      headers: Object.assign(
        { authorization: 'Bearer ' + key },
        ${body === undefined ? '{}' : "{ 'content-type': 'application/json' }"},
      ),
      body: ${body === undefined ? 'undefined' : JSON.stringify(JSON.stringify(body))},
    });
    const text = await response.text();
    return { status: response.status, code: text ? JSON.parse(text).code : null };
  })()`);

/** Page errors other than the browser's own note on a refused request (401/403/404). */
export const unexpectedErrors = (watched: WatchedContext) =>
  watched.pageErrors.filter((e) => !/Failed to load resource.*status of (401|403|404)/.test(e));
