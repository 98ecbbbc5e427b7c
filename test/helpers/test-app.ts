// Builds a Herald API on a temporary SQLite file for tests, with a fake clock.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, type HeraldApp } from '../../src/api/build-app.ts';
import type { ApiEvents } from '../../src/api/types.ts';
import { type Config, loadConfig } from '../../src/config/config.ts';
import { fakeClock, systemRandom } from '../../src/domain/clock.ts';
import { createIdGenerator } from '../../src/domain/ids.ts';
import { createAuthenticator, ensureAdminToken } from '../../src/services/auth.ts';
import { openStore, type Store } from '../../src/store/store.ts';

export const adminToken = 'test_admin_token_0123456789abcdef';

export type TestApp = {
  app: HeraldApp;
  store: Store;
  clock: ReturnType<typeof fakeClock>;
  config: Config;
  /** Headers carrying the operator token. */
  admin: Record<string, string>;
  close(): Promise<void>;
};

export async function createTestApp(
  options: { config?: Partial<Config>; events?: ApiEvents; start?: number } = {},
): Promise<TestApp> {
  const dir = mkdtempSync(join(tmpdir(), 'herald-test-'));
  const config = loadConfig({
    env: {},
    overrides: {
      dataDir: dir,
      databaseUrl: `sqlite:${join(dir, 'herald.db')}`,
      adminToken,
      ...options.config,
    },
  });
  const store = await openStore(config.databaseUrl);
  const clock = fakeClock(options.start ?? Date.now());
  const newId = createIdGenerator(clock, systemRandom);
  const admin = await ensureAdminToken(store, config.adminToken, systemRandom);
  const authenticator = createAuthenticator({
    store,
    adminTokenHash: admin.hash,
    clock,
    random: systemRandom,
    newId,
  });
  const app = await buildApp({
    config,
    store,
    clock,
    random: systemRandom,
    newId,
    authenticator,
    ...(options.events ? { events: options.events } : {}),
  });
  return {
    app,
    store,
    clock,
    config,
    admin: { authorization: `Bearer ${adminToken}` },
    close: async () => {
      await app.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
