// PostgreSQL for tests: the machine's server (override with HERALD_TEST_POSTGRES_URL), one
// fresh schema per use, dropped afterwards. Never skipped: an unreachable server fails.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const postgresUrl =
  process.env.HERALD_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export function freshSchema(): string {
  return `herald_test_${randomBytes(6).toString('hex')}`;
}

export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}
