// A start that fails once the database is open closes it again: an embedding program (or a
// supervisor retrying) is not left holding connections to a Herald that never started.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { loadConfig } from '../../src/config/config.ts';
import { fakeClock, systemRandom } from '../../src/domain/clock.ts';
import { createHerald } from '../../src/herald.ts';
import { createHttpClient } from '../../src/outbound/http-client.ts';
import { dropSchema, freshSchema, postgresUrl } from '../helpers/postgres.ts';
import { testSecretBox } from '../helpers/secret-box.ts';

test('a start that fails after opening PostgreSQL leaves no connection open', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'herald-failed-start-'));
  const schema = freshSchema();
  const name = `herald-${schema}`;
  const observer = new pg.Client({ connectionString: postgresUrl });
  await observer.connect();
  const http = createHttpClient({ allowedSubnets: [], userAgent: 'Herald/test' });
  try {
    const config = loadConfig({
      env: {},
      overrides: {
        dataDir: dir,
        databaseUrl: `${postgresUrl}${postgresUrl.includes('?') ? '&' : '?'}application_name=${name}`,
        databaseSchema: schema,
        adminToken: 'test_admin_token_0123456789abcdef',
      },
    });
    await assert.rejects(
      createHerald(config, {
        clock: fakeClock(Date.now()),
        random: systemRandom,
        http,
        userAgent: 'Herald/test',
        secretBox: testSecretBox,
        // Fails while the app is built, well after the store was opened and migrated.
        logger: () => {
          throw new Error('no logger today');
        },
      }),
      /no logger today/,
    );
    const open = async () =>
      (
        await observer.query<{ n: number }>(
          'SELECT COUNT(*)::int AS n FROM pg_stat_activity WHERE application_name = $1',
          [name],
        )
      ).rows[0]?.n;
    // A closed connection leaves pg_stat_activity a moment after the client ends it.
    const deadline = Date.now() + 2000;
    while ((await open()) !== 0 && Date.now() < deadline) await sleep(20);
    assert.equal(await open(), 0, 'every connection of the failed start is closed');
  } finally {
    await http.close();
    await observer.end();
    await dropSchema(schema);
    rmSync(dir, { recursive: true, force: true });
  }
});
