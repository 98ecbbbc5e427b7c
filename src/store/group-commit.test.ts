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

test('a group larger than maxBatch is written in several groups', async () => {
  const { batches, add } = recording({ maxBatch: 2 });
  assert.deepEqual(await Promise.all([add(1), add(2), add(3)]), [2, 4, 6]);
  assert.deepEqual(batches, [[1, 2], [3]]);
});

test('with concurrency 1, items arriving during a write wait and form the next group', async () => {
  const batches: number[][] = [];
  let release!: () => void;
  const firstWrite = new Promise<void>((resolve) => {
    release = resolve;
  });
  let started!: () => void;
  const firstStarted = new Promise<void>((resolve) => {
    started = resolve;
  });
  const group = createGroupCommit<number, number>(
    async (batch) => {
      batches.push(batch);
      if (batches.length === 1) {
        started();
        await firstWrite;
      }
      return batch.map((n) => ({ ok: true, value: n }));
    },
    { concurrency: 1 },
  );
  const first = group.add(1);
  // Waits for the first write itself, not for a time: a stalled machine must not merge the
  // groups.
  await firstStarted;
  const later = [group.add(2), group.add(3)];
  await sleep(5);
  group.add(4);
  await sleep(5);
  assert.deepEqual(batches, [[1]], 'nothing else is written while the first write runs');
  release();
  assert.deepEqual(await Promise.all([first, ...later]), [1, 2, 3]);
  assert.deepEqual(batches, [[1], [2, 3, 4]]);
});
