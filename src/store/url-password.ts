// An endpoint URL's password (`https://user:password@host/...`) is sealed at rest like the
// endpoint's secrets: the URL is stored as given, with only the password replaced by its
// sealed form (whose characters are all allowed there), so the rest of the URL stays
// readable to queries (Play finds its inboxes' endpoints by URL).
import type { SecretBox } from './secret-box.ts';

/** scheme://, the user, and the password up to the `@` that ends the user information. */
const withPassword = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#@:]*:)([^/?#@]*)@/;

/** The URL with its password sealed (a URL without one is returned as it is). */
export function sealUrlPassword(box: SecretBox, url: string): string {
  return url.replace(withPassword, (_all, head: string, password: string) =>
    password === '' ? `${head}@` : `${head}${box.seal(password)}@`,
  );
}

/** The URL as it was given, its password opened (a URL stored before sealing passes). */
export function openUrlPassword(box: SecretBox, url: string): string {
  return url.replace(withPassword, (_all, head: string, password: string) =>
    password === '' ? `${head}@` : `${head}${box.open(password)}@`,
  );
}

/** Whether the URL holds a password not sealed, or sealed with another key than the current. */
export function urlPasswordNeedsReseal(box: SecretBox, url: string): boolean {
  const password = withPassword.exec(url)?.[2];
  return password !== undefined && password !== '' && box.needsReseal(password);
}
