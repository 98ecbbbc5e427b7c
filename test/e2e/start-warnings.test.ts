// What `herald serve` says at start about settings that weaken its guards.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startHeraldChild } from '../helpers/herald-process.ts';

test('allowing the whole address space is warned about at start; a narrow subnet is not', {
  timeout: 60_000,
}, async () => {
  const wide = await startHeraldChild({ env: { HERALD_ALLOWED_SUBNETS: '0.0.0.0/0,::/0' } });
  try {
    await wide.waitForOutput(/Data directory/);
    assert.match(
      wide.output(),
      /Warning: HERALD_ALLOWED_SUBNETS includes 0\.0\.0\.0\/0 and ::\/0: webhooks may reach any private/,
    );
  } finally {
    await wide.cleanup();
  }
  const narrow = await startHeraldChild({ env: { HERALD_ALLOWED_SUBNETS: '127.0.0.1/32' } });
  try {
    await narrow.waitForOutput(/Data directory/);
    assert.doesNotMatch(narrow.output(), /Warning/);
  } finally {
    await narrow.cleanup();
  }
});
