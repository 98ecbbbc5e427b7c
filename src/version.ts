// Herald's version, from package.json (sent in the User-Agent of webhook requests).
import { readFileSync } from 'node:fs';

export const heraldVersion: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;
