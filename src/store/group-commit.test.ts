import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createGroupCommit } from './group-commit.ts';

function recording(options?: Parameters<typeof createGroupCommit>[1]) {
  const batches: number[][] = [];
  const group = createGroupCommit<number, number>(async (batch) => {
    batches.push(batch);
    return batch.map((n) =>
      n < 0 ? { ok: false, error: new Error(`bad ${n}`) } : { ok: true, value: n * 2 },
    );
  }, options);
  return { batches, add: group.add };
}

test('items added in the same turn share one write, and each caller gets its own outcome', async () => {
  const { batches, add } = recording();
  const results = await Promise.allSettled([add(1), add(-1), add(3)]);
  assert.deepEqual(batches, [[1, -1, 3]]);
  assert.deepEqual(
    results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message)),
    [2, 'bad -1', 6],
  );
});

test('with lingerMs, items arriving a little later still join the group', async () => {
  const { batches, add } = recording({ lingerMs: 40 });
  const first = add(1);
  await sleep(5);
  const second = add(2);
  assert.deepEqual(await Promise.all([first, second]), [2, 4]);
  assert.deepEqual(batches, [[1, 2]]);
});

test('a lingering group is written at once when it reaches maxBatch', async () => {
  const { batches, add } = recording({ lingerMs: 10_000, maxBatch: 3 });
  const started = performance.now();
  await Promise.all([add(1), add(2), add(3)]);
  assert.ok(performance.now() - started < 5_000, 'did not wait for the linger timer');
  assert.deepEqual(batches, [[1, 2, 3]]);
});
