import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createCapacity } from './capacity.ts';

test('claims are sized from the free slots, the promised ones and the byte budget', () => {
  const capacity = createCapacity({ maxInFlight: 10, maxInFlightBytes: 10_000 });
  assert.equal(capacity.room(200), 9, 'about 1 KB each until sizes are known: 9 fit in 10 KB');
  assert.ok(capacity.reserve());
  capacity.begin(100);
  capacity.unreserve(1);
  assert.equal(capacity.room(4), 4, 'never more than the batch');
  for (let i = 0; i < 8; i++) capacity.begin(100);
  assert.equal(capacity.room(200), 1);
  assert.ok(capacity.reserve());
  assert.equal(capacity.reserve(), false, 'every slot is taken or promised');
  assert.equal(capacity.room(200), 0);
  capacity.unreserve(1);
  capacity.begin(100);
  assert.ok(capacity.busy());
  for (let i = 0; i < 5; i++) capacity.end(100);
  assert.ok(!capacity.busy() && capacity.halfFree());
});

test('large payloads shrink the claims, and a full byte budget stops them', () => {
  const capacity = createCapacity({ maxInFlight: 256, maxInFlightBytes: 4_000_000 });
  for (let i = 0; i < 3; i++) capacity.begin(1_000_000);
  assert.ok(capacity.room(200) <= 3, 'the estimate follows the recent payload sizes');
  capacity.begin(1_000_000);
  assert.ok(capacity.busy());
  assert.equal(capacity.room(200), 0);
  assert.equal(capacity.reserve(), false);
  capacity.end(1_000_000);
  capacity.end(1_000_000);
  assert.ok(capacity.halfFree());
});
