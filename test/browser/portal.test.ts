// The customer portal in real Chromium against a running `herald serve`: open a link, manage
// an endpoint, test it, read the logs, resend and recover, and the session's boundaries.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { type Receiver, startReceiver } from '../helpers/receiver.ts';
import { launchBrowser, screenshots, type WatchedContext } from './browser.ts';
import {
  eventually,
  fetchWithStoredKey,
  openPortal,
  type Scene,
  startScene,
  storedKey,
  unexpectedErrors,
} from './portal-setup.ts';

const hostile = `<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2; alert(1)">`;

describe('customer portal', () => {
  let scene: Scene;
  let browser: Browser;
  let receiver: Receiver;
  let acme: { id: string };
  let otherEndpoint: { id: string };
  const opened: WatchedContext[] = [];

  /** Opens a link and keeps its context to check for foreign requests and errors at the end. */
  const open = async (link: string) => {
    const { watched, page } = await openPortal(browser, scene, link);
    opened.push(watched);
    page.on('dialog', (dialog) => {
      watched.pageErrors.push(`dialog: ${dialog.message()}`);
      void dialog.dismiss();
    });
    return page;
  };

  before(async () => {
    // The receivers listen on loopback, a private address: their answers reach the portal
    // (a payload and a response body with markup must render as text) only with this.
    scene = await startScene({ HERALD_SHOW_PRIVATE_RESPONSES: 'true' });
    browser = await launchBrowser();
    receiver = await startReceiver((request) => ({
      status: 200,
      body: request.body.includes('onerror') ? hostile : '{"ok":true}',
    }));
    await scene.api('POST', '/event-type', {
      name: 'invoice.paid',
      description: 'An invoice was paid in full.',
      schemas: {
        '1': {
          type: 'object',
          required: ['invoiceId', 'amount'],
          properties: {
            invoiceId: { type: 'string', description: 'The invoice that was paid.' },
            amount: { type: 'integer', description: 'Amount in cents.' },
            customer: {
              type: 'object',
              properties: { email: { type: 'string', format: 'email' } },
            },
          },
          examples: [
            { invoiceId: 'inv_1042', amount: 12900, customer: { email: 'ana@example.com' } },
          ],
        },
      },
    });
    await scene.api('POST', '/event-type', {
      name: 'booking.cancelled',
      description: 'A guest cancelled a booking.',
      schemas: {
        '1': {
          type: 'object',
          properties: { bookingId: { type: 'string' }, reason: { type: 'string' } },
          examples: [{ bookingId: 'bk_77', reason: 'Change of plans' }],
        },
      },
    });
    acme = await scene.api('POST', '/app', { name: 'Acme Travel', uid: 'acme' });
    await scene.api('POST', '/app', { name: 'Other Co', uid: 'other' });
    otherEndpoint = await scene.api('POST', '/app/other/endpoint', { url: receiver.url });
  });

  after(async () => {
    for (const watched of opened) await watched.close();
    await browser?.close();
    await receiver?.close();
    await scene?.close();
  });

  test('open a link, add an endpoint, send an example and see the attempt, resend it from the logs', async () => {
    const page = await open(await scene.portalLink('acme'));
    // The key left the address bar and lives in the tab's session.
    assert.equal(new URL(page.url()).hash, '');
    assert.match((await storedKey(page)) ?? '', /^hrld_app_/);
    await page.getByText('Acme Travel').waitFor();
    await page.getByText('No endpoints yet').waitFor();

    await page.getByRole('button', { name: 'Add endpoint' }).click();
    await page.getByLabel('Endpoint URL').fill(receiver.url);
    await page.getByLabel('Description').fill('Billing receiver');
    await page.getByText('An invoice was paid in full.').waitFor();
    await page.getByRole('checkbox', { name: /invoice\.paid/ }).check();
    await page.getByRole('button', { name: 'Create endpoint' }).click();
    await page.getByRole('heading', { name: receiver.url }).waitFor();
    await page.getByText('Billing receiver').waitFor();

    await page.getByRole('link', { name: 'Testing' }).click();
    await page.getByLabel('Event type').selectOption('invoice.paid');
    await page.getByText('"invoiceId": "inv_1042"').waitFor();
    await page.getByRole('button', { name: 'Send example' }).click();
    const result = page.getByText(/^HTTP 200 · \d+ ms$/);
    await result.waitFor({ timeout: 20_000 });
    assert.equal(receiver.requests.length, 1);
    assert.match(receiver.requests[0]?.body ?? '', /inv_1042/);
    await screenshots(page, 'portal-testing');

    await page.getByRole('link', { name: 'Logs' }).click();
    const row = page.getByRole('row', { name: /invoice\.paid/ });
    await row.waitFor();
    assert.equal(await page.getByRole('row', { name: /invoice\.paid/ }).count(), 1);
    await screenshots(page, 'portal-logs');

    await row.getByRole('link').click();
    await page.getByRole('heading', { name: 'Payload' }).waitFor();
    await page.getByText('"amount": 12900').waitFor();
    await page.getByText('Scheduled').first().waitFor();
    await screenshots(page, 'portal-message');
    await page.getByRole('button', { name: `Resend to ${receiver.url}` }).click();
    await page.getByText('Resend queued').waitFor();
    await eventually(async () => receiver.requests.length === 2, 20_000, 'the resent request');
    await page.getByText('Manual').waitFor({ timeout: 20_000 });
    assert.deepEqual(unexpectedErrors(opened[0] as WatchedContext), []);
  });

  test('an endpoint shows its chart and secret; rotate it, disable and enable it', async () => {
    const page = await open(await scene.portalLink('acme'));
    await page.getByRole('link', { name: receiver.url }).click();
    // The example and its resend.
    await page.getByText('2 succeeded').waitFor();
    await page.locator('.chart canvas').waitFor();

    await page.getByRole('button', { name: 'Reveal' }).click();
    const secret = page.getByLabel('Secret key');
    await page.getByText(/^whsec_[A-Za-z0-9+/=]+$/).waitFor();
    const before = await secret.textContent();
    await screenshots(page, 'portal-endpoint');
    await page.getByLabel('Old key keeps working for').selectOption('86400');
    await page.getByRole('button', { name: 'Rotate secret' }).click();
    await page.getByText(/The old key keeps signing alongside the new one until/).waitFor();
    await eventually(async () => (await secret.textContent()) !== before, 10_000, 'a new secret');
    assert.match((await secret.textContent()) ?? '', /^whsec_/);

    await page.getByRole('button', { name: 'Disable endpoint' }).click();
    await page.getByRole('heading', { name: 'This endpoint is disabled' }).waitFor();
    await page.getByText('It was disabled by hand.').waitFor();
    await page.getByRole('button', { name: 'Enable', exact: true }).click();
    await page.getByRole('button', { name: 'Disable endpoint' }).waitFor();
    assert.equal(await page.getByText('This endpoint is disabled').count(), 0);

    await page
      .getByRole('navigation', { name: 'Portal' })
      .getByRole('link', { name: 'Endpoints' })
      .click();
    await page.getByText('100% delivered (24 h)').waitFor();
    await screenshots(page, 'portal-endpoints');
    await page.getByRole('link', { name: 'Event catalogue' }).click();
    await page.getByText('Amount in cents.').waitFor();
    await screenshots(page, 'portal-catalogue');
  });

  test('a failing endpoint: its messages fail, and "recover since" sends them again', async () => {
    const failing = await startReceiver(() => ({ status: 500, body: 'down for maintenance' }));
    try {
      const endpoint = await scene.api('POST', '/app/acme/endpoint', {
        url: failing.url,
        filterTypes: ['booking.cancelled'],
      });
      const msg = await scene.api('POST', '/app/acme/msg', {
        eventType: 'booking.cancelled',
        payload: { bookingId: 'bk_1' },
      });
      await eventually(
        async () =>
          (await scene.api('GET', `/app/acme/msg/${msg.id}/endpoint`)).data[0]?.status === 2,
        30_000,
        'the delivery to fail',
      );
      assert.equal(failing.requests.length, 2, 'the first attempt and one retry');
      failing.respond(() => ({ status: 200, body: 'back' }));

      const page = await open(await scene.portalLink('acme'));
      await page.goto(`${scene.herald.url}/portal/endpoints/${endpoint.id}`);
      // Two failed attempts: the first and its one retry.
      await page.getByText('2 failed').waitFor();
      await page.getByRole('button', { name: 'Recover' }).click();
      await page
        .getByText('Recovery finished: 1 message queued again.')
        .waitFor({ timeout: 20_000 });
      await eventually(async () => failing.requests.length === 3, 20_000, 'the recovered attempt');
      await eventually(
        async () => {
          await page.getByRole('button', { name: 'Refresh' }).click();
          return (await page.getByRole('cell', { name: 'Manual' }).count()) === 1;
        },
        20_000,
        'the manual attempt in the list',
      );
      await page.getByRole('cell', { name: '200', exact: true }).waitFor();
    } finally {
      await failing.close();
    }
  });

  test("another application's data is out of reach, through the pages and through the API", async () => {
    const page = await open(await scene.portalLink('acme'));
    await page.goto(`${scene.herald.url}/portal/endpoints/${otherEndpoint.id}`);
    await page.getByRole('heading', { name: 'Not found' }).waitFor();
    const other = await scene.api('GET', '/app/other');
    for (const path of [
      `/app/${other.id}/endpoint`,
      `/app/other/endpoint/${otherEndpoint.id}`,
      `/app/${acme.id}/endpoint/${otherEndpoint.id}`,
    ]) {
      const r = await fetchWithStoredKey(page, 'GET', path);
      assert.ok([403, 404].includes(r.status), `${path}: ${r.status}`);
    }
    const write = await fetchWithStoredKey(
      page,
      'DELETE',
      `/app/other/endpoint/${otherEndpoint.id}`,
    );
    assert.equal(write.status, 403);
    await scene.api('GET', `/app/other/endpoint/${otherEndpoint.id}`);
  });

  test('a read-only link shows no write controls, and the API refuses its writes', async () => {
    const page = await open(await scene.portalLink('acme', { readOnly: true }));
    await page.getByText('Webhooks · read-only').waitFor();
    await page.getByRole('link', { name: receiver.url }).click();
    await page.getByRole('heading', { name: 'Signing secret' }).waitFor();
    await page.getByRole('heading', { name: 'Recent attempts' }).waitFor();
    for (const name of [
      'Add endpoint',
      'Disable endpoint',
      'Delete endpoint',
      'Rotate secret',
      'Recover',
    ]) {
      assert.equal(await page.getByRole('button', { name }).count(), 0, name);
    }
    await page.getByRole('link', { name: 'Testing' }).click();
    await page.getByText('This link is read-only').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Send example' }).count(), 0);
    const endpoints = await scene.api('GET', '/app/acme/endpoint');
    const target = endpoints.data.find((e: { url: string }) => e.url === receiver.url);
    const refused = await fetchWithStoredKey(page, 'PATCH', `/app/acme/endpoint/${target.id}`, {
      disabled: true,
    });
    assert.deepEqual(refused, { status: 403, code: 'read_only' });
    assert.equal((await scene.api('GET', `/app/acme/endpoint/${target.id}`)).disabled, false);
  });

  test('logout, expire-all and an unknown link all end on the expired page', async () => {
    const page = await open(await scene.portalLink('acme'));
    const key = await storedKey(page);
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: 'Link expired' }).waitFor();
    await page.getByText('You logged out').waitFor();
    assert.equal(await storedKey(page), null);
    assert.equal(
      (await scene.raw('GET', '/app/acme', undefined, key ?? '')).status,
      401,
      'revoked',
    );

    const second = await open(await scene.portalLink('acme'));
    await second.getByText('Billing receiver').waitFor();
    await scene.api('POST', `/auth/app/${acme.id}/expire-all`);
    await second.getByRole('link', { name: 'Logs' }).click();
    await second.getByRole('heading', { name: 'Link expired' }).waitFor();
    await second.getByText('This portal link has expired or was revoked.').waitFor();

    const third = await browser.newPage();
    try {
      await third.goto(`${scene.herald.url}/portal/#key=hrld_app_not-a-real-key`);
      await third.getByRole('heading', { name: 'Link expired' }).waitFor();
      await screenshots(third, 'portal-expired');
    } finally {
      await third.close();
    }
  });

  test('payloads and response bodies with markup render as text', async () => {
    const msg = await scene.api('POST', '/app/acme/msg', {
      eventType: 'invoice.paid',
      payload: { note: hostile },
    });
    await eventually(
      async () => (await scene.api('GET', `/app/acme/attempt/msg/${msg.id}`)).data.length > 0,
      20_000,
      'the attempt',
    );
    const page = await open(await scene.portalLink('acme'));
    await page.goto(`${scene.herald.url}/portal/messages/${msg.id}`);
    await page.getByRole('heading', { name: 'Attempts' }).waitFor();
    // The payload's text and the receiver's answer (the same markup) are both shown literally.
    assert.ok((await page.getByText('<img src=x onerror=', { exact: false }).count()) >= 2);
    assert.ok(
      (await page.getByText('<script>window.__xss = 1</script>', { exact: false }).count()) >= 2,
    );
    assert.equal(
      await page.evaluate("document.querySelectorAll('main img, main script').length"),
      0,
    );
    assert.equal(await page.evaluate('window.__xss === undefined'), true);
  });

  test('usable by keyboard, and nothing overflows at phone width', async () => {
    const page = await open(await scene.portalLink('acme'));
    await page.getByText('Billing receiver').waitFor();
    // Tab to "Add endpoint" and press Enter: the form opens with its labelled fields.
    let focused = '';
    for (let i = 0; i < 15 && focused !== 'Add endpoint'; i++) {
      await page.keyboard.press('Tab');
      focused = String(await page.evaluate('document.activeElement?.textContent ?? ""'));
    }
    assert.equal(focused, 'Add endpoint');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Add endpoint' }).waitFor();
    await page.getByLabel('Endpoint URL').focus();
    await page.keyboard.type('https://hooks.example.com/in');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate('document.activeElement?.textContent'), 'Use a Play URL');

    await page.setViewportSize({ width: 390, height: 844 });
    const endpoints = await scene.api('GET', '/app/acme/endpoint');
    const first = endpoints.data[0].id;
    for (const path of [
      '/portal/endpoints',
      `/portal/endpoints/${first}`,
      `/portal/endpoints/${first}/testing`,
      `/portal/endpoints/${first}/advanced`,
      '/portal/logs',
      '/portal/catalogue',
    ]) {
      await page.goto(`${scene.herald.url}${path}`);
      await page.getByRole('navigation', { name: 'Portal' }).waitFor();
      await page.waitForLoadState('networkidle');
      const width = await page.evaluate('document.documentElement.scrollWidth');
      assert.ok(Number(width) <= 390, `${path} is ${width} px wide`);
    }
  });

  test('no request left for another host, and no page had an error', () => {
    assert.ok(opened.length >= 8);
    for (const watched of opened) {
      assert.deepEqual(watched.foreignRequests, []);
      assert.deepEqual(unexpectedErrors(watched), []);
    }
  });
});
