// Endpoint URLs may carry credentials (`https://user:pass@host/...`). They are sent as HTTP
// Basic auth (a URL's credentials are never part of the request line) and masked wherever a
// URL is shown: answers, attempts, templates. A URL given back with the mask in place of the
// password keeps the stored password, so reading an endpoint and writing it back is safe.

/** What a masked password reads as. */
export const maskedPassword = '***';

function parse(url: string): URL | null {
  if (!url.includes('@')) return null;
  try {
    const parsed = new URL(url);
    return parsed.username || parsed.password ? parsed : null;
  } catch {
    return null;
  }
}

/** The URL without credentials, and the Basic `authorization` value they make (or null). */
export function splitCredentials(url: string): { url: string; authorization: string | null } {
  const parsed = parse(url);
  if (!parsed) return { url, authorization: null };
  const user = decodeURIComponent(parsed.username);
  const password = decodeURIComponent(parsed.password);
  parsed.username = '';
  parsed.password = '';
  const basic = Buffer.from(`${user}:${password}`).toString('base64');
  return { url: parsed.toString(), authorization: `Basic ${basic}` };
}

/** The URL with its password (if any) replaced by the mask; other URLs as they are. */
export function maskCredentials(url: string): string {
  const parsed = parse(url);
  if (!parsed?.password) return url;
  parsed.password = maskedPassword;
  return parsed.toString();
}

/** `next`, or `previous` when `next` is `previous` with its password masked. */
export function keepMaskedPassword(next: string, previous: string): string {
  if (next === previous) return next;
  return maskCredentials(previous) === next ? previous : next;
}
