// Embedding the portal in a frame: allowed only for the origins HERALD_PORTAL_FRAME_ANCESTORS
// lists (the pages' frame-ancestors directive), refused by the browser everywhere else.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { freePort } from '../helpers/herald-process.ts';
import { launchBrowser } from './browser.ts';
import { eventually, type Scene, startScene } from './portal-setup.ts';

/** A page on 127.0.0.1:port that frames `src`. */
async function embedder(port: number, src: () => string): Promise<Server> {
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(`<!doctype html><title>Producer</title><h1>Producer dashboard</h1>
      <iframe title="Webhooks portal" width="1000" height="700" src="${src()}"></iframe>`);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return server;
}

let scene: Scene;
let browser: Browser;
let allowed: Server;
let other: Server;
let allowedPort: number;
let otherPort: number;
let link = '';

before(async () => {
  allowedPort = await freePort();
  otherPort = await freePort();
  scene = await startScene({ HERALD_PORTAL_FRAME_ANCESTORS: `http://127.0.0.1:${allowedPort}` });
  await scene.api('POST', '/app', { name: 'Framed Ltd', uid: 'framed' });
  allowed = await embedder(allowedPort, () => link);
  other = await embedder(otherPort, () => link);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  allowed?.close();
  other?.close();
  await scene?.close();
});

test('a listed origin may frame the portal', async () => {
  link = await scene.portalLink('framed');
  const page = await browser.newPage();
  try {
    await page.goto(`http://127.0.0.1:${allowedPort}/`);
    const frame = page.frameLocator('iframe');
    await frame.getByRole('navigation', { name: 'Portal' }).waitFor();
    await frame.getByText('Framed Ltd').waitFor();
  } finally {
    await page.close();
  }
});

test('any other origin is refused by the browser', async () => {
  link = await scene.portalLink('framed');
  const page = await browser.newPage();
  const refusals: string[] = [];
  page.on('console', (message) => {
    if (/frame-ancestors/.test(message.text())) refusals.push(message.text());
  });
  try {
    await page.goto(`http://127.0.0.1:${otherPort}/`);
    await eventually(async () => refusals.length > 0, 10_000, 'the browser to refuse the frame');
    assert.equal(await page.frameLocator('iframe').getByText('Framed Ltd').count(), 0);
  } finally {
    await page.close();
  }
});
