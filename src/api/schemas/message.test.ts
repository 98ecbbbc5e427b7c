import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Message } from '../../domain/message.ts';
import { messageOut, messageOutJson } from './message.ts';

const base: Message = {
  id: 'msg_01',
  appId: 'app_01',
  eventId: null,
  eventType: 'order.created',
  payload: '{"n":1,"s":"a \\"quoted\\" é"}',
  expired: false,
  channels: null,
  tags: null,
  createdAt: Date.parse('2026-03-01T00:00:00Z'),
  deliverAt: null,
};

test('the publish answer built as text says exactly what messageOut says', () => {
  const messages: Message[] = [
    base,
    { ...base, eventId: 'evt "1"', channels: ['eu', 'us'], tags: ['t'] },
    { ...base, deliverAt: Date.parse('2026-03-02T12:30:00Z') },
    { ...base, payload: null },
    { ...base, payload: null, expired: true },
  ];
  for (const m of messages) {
    for (const withContent of [true, false]) {
      assert.deepEqual(
        JSON.parse(messageOutJson(m, withContent)),
        messageOut(m, withContent),
        `${JSON.stringify(m)} with content ${withContent}`,
      );
    }
  }
});
