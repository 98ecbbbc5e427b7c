// The soak's 60 s form (`npm run soak` runs up to 10 minutes): steady publishing against
// receivers flapping between healthy, slow, failing and gone; after draining, every message is
// delivered or exhausted by the retry rules, Herald's attempts match what the receivers saw,
// and Herald's memory stays flat. See bench/soak.ts for the checks.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runSoak, soakTable } from '../../bench/soak.ts';

test('60 s of steady load against flapping receivers: every message ends by the rules, counts reconcile, memory stays flat', {
  timeout: 180_000,
}, async (t) => {
  const result = await runSoak({ durationSeconds: 60, rate: 20 });
  const table = soakTable(result);
  t.diagnostic(`\n${table}`);
  assert.ok(result.published >= 1000, `only ${result.published} published in 60 s`);
  assert.ok(result.delivered > 0 && result.exhausted > 0, 'both ends were reached');
  for (const check of result.checks)
    assert.ok(check.ok, `${check.name}: ${check.detail}\n${table}`);
});
