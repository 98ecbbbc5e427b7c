import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createEndpointGate } from './endpoint-gate.ts';

/** A gate on a clock the test moves. */
function gateAt(concurrency = 16) {
  let now = 0;
  const gate = createEndpointGate({ concurrency, now: () => now });
  return { gate, advance: (ms: number) => (now += ms) };
}

test('a new endpoint starts with two slots and earns more with every fast answer, up to the cap', async () => {
  const { gate } = gateAt(16);
  assert.equal(gate.room('ep_a'), 'start');
  const first = [await gate.acquire('ep_a'), await gate.acquire('ep_a')];
  assert.equal(gate.room('ep_a'), 'full', 'no answer yet: the rest go back to the queue');
  assert.deepEqual(gate.fullEndpoints(), ['ep_a']);
  for (const release of first) release(20, false);
  assert.equal(gate.limitOf('ep_a'), 4);
  for (let i = 0; i < 30; i++) (await gate.acquire('ep_a'))(20, false);
  assert.equal(gate.limitOf('ep_a'), 16, 'never past the cap');
  const held = [];
  for (let i = 0; i < 16; i++) held.push(await gate.acquire('ep_a'));
  assert.equal(gate.room('ep_a'), 'wait', 'a fast endpoint: the next may wait in its lane');
  for (const release of held) release(20, false);
});

test('a slow endpoint gets fewer slots the slower it answers', async () => {
  const { gate } = gateAt(16);
  for (let i = 0; i < 40; i++) (await gate.acquire('ep_fast'))(100, false);
  assert.equal(gate.limitOf('ep_fast'), 16);
  for (let i = 0; i < 40; i++) (await gate.acquire('ep_fast'))(1000, false);
  assert.equal(gate.limitOf('ep_fast'), 4, '4 s of requests per second: 4 at 1 s each');
  for (let i = 0; i < 40; i++) (await gate.acquire('ep_fast'))(8000, false);
  assert.equal(gate.limitOf('ep_fast'), 1);
});

test('a timeout halves the limit, and a request taking long stops the lane growing meanwhile', async () => {
  const { gate, advance } = gateAt(16);
  for (let i = 0; i < 40; i++) (await gate.acquire('ep_a'))(10, false);
  const held = [];
  for (let i = 0; i < 16; i++) held.push(await gate.acquire('ep_a'));
  assert.equal(gate.room('ep_a'), 'wait');
  advance(1000);
  assert.equal(gate.room('ep_a'), 'full', 'a request is taking long: nothing more waits for it');
  held.pop()?.(1000, true);
  assert.equal(gate.limitOf('ep_a'), 8);
  for (const release of held.splice(0, 8)) release(1000, true);
  assert.equal(gate.limitOf('ep_a'), 1, 'one slot left to an endpoint that times out');
  for (const release of held) release(1000, true);
  assert.equal(gate.limitOf('ep_a'), 1);
});

test('deliveries waiting in a lane get its slots as they free, within the limit', async () => {
  const { gate } = gateAt(2);
  for (let i = 0; i < 4; i++) (await gate.acquire('ep_a'))(10, false);
  const a = await gate.acquire('ep_a');
  const b = await gate.acquire('ep_a');
  let started = 0;
  const waiting = [gate.acquire('ep_a'), gate.acquire('ep_a')].map((p) =>
    p.then((release) => {
      started++;
      return release;
    }),
  );
  await Promise.resolve();
  assert.equal(started, 0);
  a(10, false);
  const c = await waiting[0];
  assert.equal(started, 1, 'one slot freed, one waiter started');
  b(10, false);
  c?.(10, false);
  (await waiting[1])?.(10, false);
  assert.equal(started, 2);
});
