import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fakeClock, systemRandom } from './clock.ts';
import { createIdGenerator, isId } from './ids.ts';

test('ids carry their prefix and sort by creation time', () => {
  const clock = fakeClock();
  const newId = createIdGenerator(clock, systemRandom);
  const ids: string[] = [];
  for (let i = 0; i < 50; i++) {
    ids.push(newId('message'));
    if (i % 7 === 0) clock.advance(1);
  }
  assert.ok(ids.every((id) => isId('message', id)));
  assert.deepEqual([...ids].sort(), ids);
  assert.equal(new Set(ids).size, ids.length);
});

test('isId rejects other prefixes and malformed bodies', () => {
  const newId = createIdGenerator(fakeClock(), systemRandom);
  const id = newId('application');
  assert.ok(isId('application', id));
  assert.equal(isId('endpoint', id), false);
  assert.equal(isId('application', 'app_short'), false);
  assert.equal(isId('application', 'my-customer-uid'), false);
});
