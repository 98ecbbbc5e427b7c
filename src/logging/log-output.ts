// Where Herald's log lines go: pino writes JSON lines here; secrets are redacted from each
// line, which is then written as is (JSON, for machines and files) or as one readable line
// (on a terminal). The readable form is Herald's own few lines: time, level, request id,
// message, then the other fields as key=value.
import type { Redactor } from './redact.ts';

export type LogFormat = 'json' | 'pretty';

const levelNames: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};
const levelColours: Record<number, string> = {
  10: '90',
  20: '36',
  30: '32',
  40: '33',
  50: '31',
  60: '35',
};
const hidden = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'reqId']);

/** A stream for pino's `stream` option. */
export function createLogOutput(options: {
  format: LogFormat;
  redact: Redactor;
  write: (text: string) => void;
  colour?: boolean;
}): { write(line: string): void } {
  const { redact, write } = options;
  if (options.format === 'json') return { write: (line) => write(redact(line)) };
  return { write: (line) => write(prettyLine(redact(line), options.colour ?? true)) };
}

/** One JSON log line as `12:00:00.123 INFO  [req] message key=value ...` (plus a stack). */
export function prettyLine(line: string, colour: boolean): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const level = Number(entry.level);
  const name = (levelNames[level] ?? String(entry.level)).padEnd(5);
  const time =
    typeof entry.time === 'number' ? new Date(entry.time).toISOString().slice(11, 23) : '';
  const paint = (code: string | undefined, text: string) =>
    colour && code ? `\x1b[${code}m${text}\x1b[0m` : text;
  const fields: string[] = [];
  let stack = '';
  for (const [key, value] of Object.entries(entry)) {
    if (hidden.has(key)) continue;
    if (key === 'err' && value && typeof value === 'object' && 'stack' in value) {
      stack = `\n  ${String((value as { stack: unknown }).stack).replaceAll('\n', '\n  ')}`;
      continue;
    }
    fields.push(`${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  }
  const reqId = entry.reqId === undefined ? '' : ` [${String(entry.reqId)}]`;
  const text = [`${paint('90', time)} ${paint(levelColours[level], name)}${reqId}`, entry.msg]
    .filter((part) => part !== undefined && part !== '')
    .join(' ');
  return `${text}${fields.length > 0 ? ` ${paint('90', fields.join(' '))}` : ''}${stack}\n`;
}
