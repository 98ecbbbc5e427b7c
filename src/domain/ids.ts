// Prefixed, time-ordered identifiers: `<prefix>_` + 10 characters of millisecond time and
// 16 of randomness in Crockford base32, so ids sort by creation time as plain strings.
// Within one millisecond the random part counts up, which keeps a process's ids strictly
// increasing.
import type { Clock, Random } from './clock.ts';

const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export const idPrefixes = {
  application: 'app',
  endpoint: 'ep',
  message: 'msg',
  attempt: 'atmpt',
  token: 'tok',
  task: 'qtask',
  playRequest: 'preq',
} as const;

export type IdKind = keyof typeof idPrefixes;

const idBody = /^[0-9A-HJKMNP-TV-Z]{26}$/;

export function isId(kind: IdKind, value: string): boolean {
  const prefix = `${idPrefixes[kind]}_`;
  return value.startsWith(prefix) && idBody.test(value.slice(prefix.length));
}

export type IdGenerator = (kind: IdKind) => string;

export function createIdGenerator(clock: Clock, random: Random): IdGenerator {
  let lastTime = -1;
  let encodedTime = '';
  const digits = new Uint8Array(16);
  return (kind) => {
    const time = clock.now();
    if (time === lastTime) {
      increment(digits);
    } else {
      lastTime = time;
      encodedTime = encodeTime(time);
      const bytes = random.bytes(16);
      for (let i = 0; i < 16; i++) digits[i] = (bytes[i] ?? 0) % 32;
    }
    let encodedRandom = '';
    for (let i = 0; i < 16; i++) encodedRandom += alphabet[digits[i] ?? 0];
    return `${idPrefixes[kind]}_${encodedTime}${encodedRandom}`;
  };
}

/** The smallest id of this kind made at `ms` or later: a bound for "created since" ranges. */
export function idFloor(kind: IdKind, ms: number): string {
  return `${idPrefixes[kind]}_${encodeTime(ms)}${'0'.repeat(16)}`;
}

function encodeTime(ms: number): string {
  let out = '';
  let rest = ms;
  for (let i = 0; i < 10; i++) {
    out = alphabet[rest % 32] + out;
    rest = Math.floor(rest / 32);
  }
  return out;
}

function increment(digits: Uint8Array): void {
  for (let i = digits.length - 1; i >= 0; i--) {
    const d = digits[i] ?? 0;
    if (d < 31) {
      digits[i] = d + 1;
      return;
    }
    digits[i] = 0;
  }
}
