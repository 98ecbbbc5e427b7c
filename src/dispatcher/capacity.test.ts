import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createCapacity } from './capacity.ts';

test('claims are sized from the free slots, the promised ones and the byte budget', () => {
  const capacity = createCapacity({ maxInFlight: 10, maxInFlightBytes: 10_000 });
  // One application per attempt: shares play no part here.
  const app = (i: number) => `app_${i}`;
  assert.equal(capacity.room(200), 8, 'an application alone leaves an eighth of the slots');
  assert.equal(
    createCapacity({ maxInFlight: 100, maxInFlightBytes: 10_000 }).room(200),
    9,
    'about 1 KB each until sizes are known: 9 fit in 10 KB',
  );
  assert.ok(capacity.reserve(app(0)));
  capacity.begin(100, app(0));
  capacity.unreserve(1, app(0));
  assert.equal(capacity.room(4), 4, 'never more than the batch');
  for (let i = 1; i < 9; i++) capacity.begin(100, app(i));
  assert.equal(capacity.room(200), 1);
  assert.ok(capacity.reserve(app(9)));
  assert.equal(capacity.reserve(app(10)), false, 'every slot is taken or promised');
  assert.equal(capacity.room(200), 0);
  capacity.unreserve(1, app(9));
  capacity.begin(100, app(9));
  assert.ok(capacity.busy());
  for (let i = 0; i < 5; i++) capacity.end(100, app(i));
  assert.ok(!capacity.busy() && capacity.halfFree());
});

test('large payloads shrink the claims, and a full byte budget stops them', () => {
  const capacity = createCapacity({ maxInFlight: 256, maxInFlightBytes: 4_000_000 });
  for (let i = 0; i < 3; i++) capacity.begin(1_000_000, 'app_a');
  assert.ok(capacity.room(200) <= 3, 'the estimate follows the recent payload sizes');
  capacity.begin(1_000_000, 'app_a');
  assert.ok(capacity.busy());
  assert.equal(capacity.room(200), 0);
  assert.equal(capacity.reserve('app_b'), false);
  capacity.end(1_000_000, 'app_a');
  capacity.end(1_000_000, 'app_a');
  assert.ok(capacity.halfFree());
});

test('an application alone may use all slots but an eighth; with others busy, fewer than twice the free ones', () => {
  const capacity = createCapacity({ maxInFlight: 256, maxInFlightBytes: 1 << 30 });
  let a = 0;
  while (capacity.reserve('app_a')) a++;
  assert.equal(a, 224, 'alone, all but an eighth of the slots');
  assert.ok(capacity.aloneFull() && !capacity.busy(), 'it waits for half the slots to free');
  assert.deepEqual(capacity.appsWithoutRoom(), ['app_a']);
  assert.equal(capacity.room(200), 22, "a claim takes no more than a newcomer's share");
  let b = 0;
  while (capacity.reserve('app_b')) b++;
  assert.ok(b > 0 && a + b < 256, `a second application gets ${b} of the ${256 - a} left`);
  assert.ok(capacity.reserve('app_c'), 'and a third still finds a slot');
  assert.ok(!capacity.aloneFull());
  // Alone again: once half the slots are free, one claim takes all it may.
  capacity.unreserve(b, 'app_b');
  capacity.unreserve(1, 'app_c');
  capacity.unreserve(a, 'app_a');
  for (let i = 0; i < a; i++) capacity.begin(0, 'app_a');
  assert.ok(capacity.aloneFull());
  for (let i = 0; i < 96; i++) capacity.end(0, 'app_a');
  assert.ok(capacity.halfFree() && !capacity.aloneFull());
  assert.equal(capacity.room(200), 96);
  // Another application holds a slot: the threshold applies to both.
  capacity.begin(0, 'app_b');
  assert.ok(!capacity.overShare('app_a'), 'it may take a slot again');
  assert.ok(!capacity.hasRoom('app_a'), 'but claims wait for a batch of them');
  assert.equal(capacity.room(200), 85, "a claim takes no more than a newcomer's share");
  for (let i = 0; i < 40; i++) capacity.end(0, 'app_a');
  assert.ok(capacity.hasRoom('app_a'));
  assert.ok(capacity.reserve('app_a'));
});
