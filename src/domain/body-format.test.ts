import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toForm, toXml } from './body-format.ts';

const booking = {
  event: 'booking.create',
  booking: {
    id: 123456,
    status: 'CONFIRMED',
    paid: true,
    note: null,
    items: [{ id: 987, name: 'City & Tour' }],
  },
};

test('form encoding flattens nested keys with brackets and array items by index', () => {
  const form = toForm(booking);
  assert.equal(
    form,
    'event=booking.create&booking%5Bid%5D=123456&booking%5Bstatus%5D=CONFIRMED&booking%5Bpaid%5D=true&booking%5Bnote%5D=&booking%5Bitems%5D%5B0%5D%5Bid%5D=987&booking%5Bitems%5D%5B0%5D%5Bname%5D=City%20%26%20Tour',
  );
  const params = new URLSearchParams(form);
  assert.equal(params.get('booking[items][0][name]'), 'City & Tour');
  assert.equal(params.get('booking[note]'), '');
});

test('XML encoding names elements after keys, types non-strings and escapes text', () => {
  assert.equal(
    toXml(booking),
    '<?xml version="1.0" encoding="UTF-8"?><webhook><event>booking.create</event><booking><id type="number">123456</id><status>CONFIRMED</status><paid type="boolean">true</paid><note type="null"/><items type="array"><item><id type="number">987</id><name>City &amp; Tour</name></item></items></booking></webhook>',
  );
  assert.equal(
    toXml({ 'not a name': '<x>', xmlish: {}, empty: [] }),
    '<?xml version="1.0" encoding="UTF-8"?><webhook><entry key="not a name">&lt;x&gt;</entry><entry key="xmlish" type="object"/><empty type="array"></empty></webhook>',
  );
});
