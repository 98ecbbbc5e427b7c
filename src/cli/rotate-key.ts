// `herald rotate-key`: seals every secret at rest with a new main secret. With the key file
// (no HERALD_MAIN_SECRET), a new secret is generated and written first, every sealed value
// is sealed again with it, then the old secret leaves the file. With HERALD_MAIN_SECRET, set
// it to the new secret and HERALD_PREVIOUS_MAIN_SECRETS to the old one for this command;
// the old one can go once it has finished. Run it with Herald stopped: a running node keeps
// the key it started with.
import type { Config } from '../config/config.ts';
import { createSecretBox } from '../store/secret-box.ts';
import { openStore } from '../store/store.ts';
import { loadMainSecrets, newMainSecret, writeMainSecretFile } from './main-secret.ts';

export async function rotateKey(config: Config, out: (line: string) => void): Promise<void> {
  const loaded = loadMainSecrets(config);
  const fromFile = loaded.file !== null;
  const secrets = fromFile ? [newMainSecret(), ...loaded.secrets] : loaded.secrets;
  if (!fromFile && secrets.length < 2) {
    out(
      'HERALD_MAIN_SECRET is set: set it to the new secret and HERALD_PREVIOUS_MAIN_SECRETS to the old one, then run rotate-key again.',
    );
  }
  // The file names the new secret before any value is sealed with it, so an interrupted
  // rotation can be run again.
  if (loaded.file) writeMainSecretFile(loaded.file, secrets);
  const store = await openStore(config.databaseUrl, {
    schema: config.databaseSchema,
    secretBox: createSecretBox(secrets),
  });
  try {
    const changed = await store.sealedColumns.reseal();
    out(`Sealed ${changed} rows with the new main secret.`);
  } finally {
    await store.close();
  }
  if (loaded.file) {
    writeMainSecretFile(loaded.file, secrets.slice(0, 1));
    out(`The previous main secret was removed from ${loaded.file}.`);
  } else if (secrets.length > 1) {
    out('Every value is sealed with HERALD_MAIN_SECRET: unset HERALD_PREVIOUS_MAIN_SECRETS.');
  }
}
