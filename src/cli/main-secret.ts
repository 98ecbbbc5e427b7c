// Herald's main secret, from which the key that seals secrets at rest is derived. It comes
// from HERALD_MAIN_SECRET (with HERALD_PREVIOUS_MAIN_SECRETS during a rotation), or from the
// key file in the data directory, generated on first start as the operator token is. Nodes
// that share a PostgreSQL database must share the main secret: set HERALD_MAIN_SECRET.
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  linkSync,
  mkdirSync,
  readFileSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import type { Config } from '../config/config.ts';
import { createSecretBox, type SecretBox } from '../store/secret-box.ts';

export const mainSecretFileName = 'main-secret';

export type MainSecrets = {
  /** The current secret first, then previous ones (still able to open old values). */
  secrets: string[];
  /** The key file, when the secrets come from one. */
  file: string | null;
  /** True when the key file was made just now. */
  generated: boolean;
};

export const newMainSecret = () => randomBytes(32).toString('base64url');

export function loadMainSecrets(config: Config): MainSecrets {
  if (config.mainSecret) {
    return {
      secrets: [config.mainSecret, ...config.previousMainSecrets],
      file: null,
      generated: false,
    };
  }
  const dir = resolve(config.dataDir);
  const file = join(dir, mainSecretFileName);
  if (existsSync(file)) {
    const secrets = readFileSync(file, 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));
    return { secrets: [...secrets, ...config.previousMainSecrets], file, generated: false };
  }
  mkdirSync(dir, { recursive: true });
  // Written whole beside the file, then linked into place: nodes starting at once on one data
  // directory never read half a file, and all of them end up with the one that won.
  const draft = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeMainSecretFile(draft, [newMainSecret()]);
  let generated = true;
  try {
    linkSync(draft, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    generated = false;
  } finally {
    unlinkSync(draft);
  }
  return { ...loadMainSecrets(config), generated };
}

/** Writes the key file (current secret first), readable by its owner alone. */
export function writeMainSecretFile(file: string, secrets: string[]): void {
  writeFileSync(
    file,
    `# Herald's main secret: it seals endpoint secrets and headers in the database. Back it up with the database; keep it private.\n${secrets.join('\n')}\n`,
    { mode: 0o600 },
  );
  chmodSync(file, 0o600);
}

export function mainSecretBox(config: Config): SecretBox {
  return createSecretBox(loadMainSecrets(config).secrets);
}
