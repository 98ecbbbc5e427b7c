// Small named values Herald keeps for itself (the operator token's hash).
import type { Database } from './database.ts';

/** Installation-wide named values. */
export interface SettingRepository {
  /** The value kept under `key` (null: none). */
  get(key: string): Promise<string | null>;
  /** Keeps `value` under `key`, replacing what was there. */
  set(key: string, value: string): Promise<void>;
}

export function settingRepository(db: Database): SettingRepository {
  return {
    async get(key: string): Promise<string | null> {
      const row = await db.get<{ value: string }>('SELECT value FROM settings WHERE key = ?', [
        key,
      ]);
      return row?.value ?? null;
    },
    async set(key: string, value: string): Promise<void> {
      await db.run(
        'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
        [key, value],
      );
    },
  };
}
