// The portal's "Use a Play URL" end to end in real Chromium against `herald serve`: the
// customer makes an endpoint on a Play inbox in the portal, the producer publishes through
// the API, and the Play page the portal links to shows the request arrive live, signature
// valid. Then the attempt in the portal's logs with its request headers, and least exposure:
// what a private destination answered is hidden from the portal, not from the operator.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { type Receiver, startReceiver } from '../helpers/receiver.ts';
import { launchBrowser, screenshots, type WatchedContext } from './browser.ts';
import {
  eventually,
  openPortal,
  type Scene,
  startScene,
  unexpectedErrors,
} from './portal-setup.ts';

const internalAnswer = '{"host":"billing-db.internal","rows":1042}';

describe('portal and Play', () => {
  let scene: Scene;
  let browser: Browser;
  let receiver: Receiver;
  const opened: WatchedContext[] = [];

  before(async () => {
    // The default: a private destination's answer is the operator's to read.
    scene = await startScene();
    browser = await launchBrowser();
    receiver = await startReceiver(() => ({ status: 200, body: internalAnswer }));
    await scene.api('POST', '/event-type', {
      name: 'order.shipped',
      description: 'An order left the warehouse.',
      schemas: {
        '1': {
          type: 'object',
          properties: { orderId: { type: 'string' }, carrier: { type: 'string' } },
          examples: [{ orderId: 'ord_501', carrier: 'DHL' }],
        },
      },
    });
    await scene.api('POST', '/app', { name: 'Nimbus Shop', uid: 'nimbus' });
  });

  after(async () => {
    for (const watched of opened) await watched.close();
    await browser?.close();
    await receiver?.close();
    await scene?.close();
  });

  test('"Use a Play URL": an example sent from the Testing tab arrives live on the Play page, signature valid', async () => {
    const { watched, page } = await openPortal(browser, scene, await scene.portalLink('nimbus'));
    opened.push(watched);
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    await page.getByRole('button', { name: 'Use a Play URL' }).click();
    const url = page.getByLabel('Endpoint URL');
    await eventually(async () => (await url.inputValue()) !== '', 10_000, 'the Play URL');
    const playUrl = await url.inputValue();
    assert.match(playUrl, new RegExp(`^${scene.herald.url}/play/in/[0-9a-f]{32}$`));
    await page.getByText('Play records every request sent to this URL').waitFor();
    await page.getByRole('checkbox', { name: /order\.shipped/ }).check();
    await screenshots(page, 'portal-new-endpoint-play');
    await page.getByRole('button', { name: 'Create endpoint' }).click();
    await page.getByRole('heading', { name: playUrl }).waitFor();

    // The link the portal shows opens the inbox's live page in a new tab.
    const [play] = await Promise.all([
      watched.context.waitForEvent('page'),
      page.getByRole('link', { name: 'open the Play page' }).click(),
    ]);
    play.on('pageerror', (error) => watched.pageErrors.push(String(error)));
    await play.getByText('Waiting for the first request…').waitFor();
    assert.equal(play.url(), playUrl.replace('/play/in/', '/play/'));
    assert.equal(await play.getByLabel('Send requests to').inputValue(), playUrl);
    // A marker that a reload would wipe: the request must arrive without one.
    await play.evaluate('window.playMarker = 7');

    // The customer sends the event type's example from the portal's Testing tab.
    await page.getByRole('link', { name: 'Testing' }).click();
    await page.getByLabel('Event type').selectOption('order.shipped');
    await page.getByText('"orderId": "ord_501"').waitFor();
    await page.getByRole('button', { name: 'Send example' }).click();
    await page.getByText(/^HTTP 204 · \d+ ms$/).waitFor({ timeout: 20_000 });
    const sentMessages = await scene.api('GET', '/app/nimbus/msg');
    const msg = sentMessages.data[0];
    assert.equal(msg?.eventType, 'order.shipped');
    const details = play.getByRole('region', { name: 'Request details' });
    await details.getByText('signature valid').waitFor({ timeout: 15_000 });
    const headers = await details.getByRole('table').innerText();
    assert.match(headers, new RegExp(`webhook-id\\s+${msg.id}`));
    assert.match(headers, /webhook-signature\s+v1,/);
    assert.match(headers, /content-type\s+application\/json/);
    assert.match(headers, /user-agent\s+Herald\//);
    assert.equal(
      await details.getByLabel('Request body').innerText(),
      JSON.stringify({ orderId: 'ord_501', carrier: 'DHL' }, null, 2),
    );
    assert.equal(await play.evaluate('window.playMarker'), 7, 'the page did not reload');
    await screenshots(play, 'portal-play-arrived');

    // The portal's logs show the attempt with the headers it was sent with.
    await page.goto(`${scene.herald.url}/portal/messages/${msg.id}`);
    const attempt = page.locator('details.attempt').first();
    await attempt.getByText('HTTP 204').waitFor({ timeout: 15_000 });
    const sent = attempt.getByRole('definition').filter({ hasText: msg.id });
    assert.equal(await sent.count(), 1, 'webhook-id is listed');
    await attempt.getByText('(empty)').waitFor();
    assert.equal(await attempt.getByText('Hidden: private destination').count(), 0);
  });

  test('an attempt to an allowed private address shows its request headers but hides its answer', async () => {
    const endpoint = await scene.api('POST', '/app/nimbus/endpoint', {
      url: receiver.url,
      headers: { 'X-Api-Key': 'k_live_portal_9999', 'X-Shop': 'nimbus' },
    });
    const msg = await scene.api('POST', '/app/nimbus/msg', {
      eventType: 'order.shipped',
      payload: { orderId: 'ord_502' },
    });
    const attemptOf = async () =>
      (await scene.api('GET', `/app/nimbus/attempt/msg/${msg.id}?endpoint_id=${endpoint.id}`))
        .data[0];
    const operatorView = await eventually(attemptOf, 20_000, 'the attempt');
    assert.equal(operatorView.response, internalAnswer, 'the operator reads the answer');

    const { watched, page } = await openPortal(browser, scene, await scene.portalLink('nimbus'));
    opened.push(watched);
    await page.goto(`${scene.herald.url}/portal/messages/${msg.id}`);
    const attempt = page.locator('details.attempt').filter({ hasText: 'HTTP 200' });
    await attempt.getByText('Hidden: private destination').waitFor({ timeout: 15_000 });
    const headers = attempt.getByLabel('Request headers');
    assert.match(await headers.innerText(), /X-Shop\s+nimbus/);
    assert.match(await headers.innerText(), /X-Api-Key\s+••••••••/);
    const text = await page.locator('main').innerText();
    assert.doesNotMatch(text, /billing-db\.internal/);
    assert.doesNotMatch(text, /k_live_portal_9999/);
    await screenshots(page, 'portal-attempt-details');
  });

  test('no request left for another host, and no page had an error', () => {
    assert.equal(opened.length, 2);
    for (const watched of opened) {
      assert.deepEqual(watched.foreignRequests, []);
      assert.deepEqual(unexpectedErrors(watched), []);
    }
  });
});
