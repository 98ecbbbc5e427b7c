import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderEnvelope, renderString, type TemplateContext } from './template.ts';

const context: TemplateContext = {
  msg: {
    id: 'msg_1',
    eventId: 'evt-9',
    eventType: 'order.created',
    timestamp: '2026-01-01T00:00:00.000Z',
  },
  payload: { object: { id: 7, tags: ['a'] }, previous_data: null, note: 'hi' },
  attempt: { id: 'atmpt_1', number: 2 },
  endpoint: { id: 'ep_1', uid: null, url: 'https://x.example/hook' },
  source: 'https://shop.example/',
};

test('a whole-string placeholder keeps the JSON value; missing fields become null', () => {
  assert.deepEqual(
    renderEnvelope(
      {
        id: '{{msg.id}}',
        data: { object: '{{payload.object}}' },
        prev: '{{payload.previous_data}}',
        x: '{{payload.nope}}',
      },
      context,
    ),
    { id: 'msg_1', data: { object: { id: 7, tags: ['a'] } }, prev: null, x: null },
  );
});

test('placeholders inside text are filled as text; arrays and scalars pass through', () => {
  assert.deepEqual(
    renderEnvelope(['{{msg.eventType}} at {{msg.timestamp}}', 3, true, null], context),
    ['order.created at 2026-01-01T00:00:00.000Z', 3, true, null],
  );
});

test('event type parts, attempt, endpoint and source fields for headers', () => {
  assert.equal(
    renderString('{{eventType.resource}}|{{eventType.event}}|{{eventType}}', context),
    'order|created|order.created',
  );
  assert.equal(
    renderString('{{attempt.id}}#{{attempt.number}} {{endpoint.id}} {{source}}', context),
    'atmpt_1#2 ep_1 https://shop.example/',
  );
  assert.equal(
    renderString('{{eventType.event}}', { ...context, msg: { ...context.msg, eventType: 'ping' } }),
    '',
  );
  assert.equal(renderString('{{ payload.object }}', context), '{"id":7,"tags":["a"]}');
  assert.equal(renderString('{{unknown.thing}}x', context), 'x');
});
